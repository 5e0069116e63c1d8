"""What a pool (channels/pool.py) makes of a hand-over's answer: sent; failed for
good; the connection's failure (the pool slows down, channels/pacing.py); a
recipient's temporary refusal, retried after the retry delay, doubling, `retries`
times, then left for the next run; or an error nobody expected (that recipient left
pending; the run stops when they keep coming one after the other)."""

from __future__ import annotations

from ..retry import Backoff
from .contract import FAILED, GONE, SENT, Answer, cause
from .events import Job, Outcome
from .pacing import Throttle


class Verdicts:
    """The answer-handling half of a Pool, which provides these attributes and the
    three methods below."""

    throttle: Throttle
    retry: Backoff
    errors_in_a_row: int
    _unexpected: int

    def _finished(self, job: Job, outcome: Outcome) -> None:
        raise NotImplementedError

    def _later_again(self, job: Job, delay: float) -> None:
        raise NotImplementedError

    def _stop(self, reason: str, fatal: bool = False) -> None:
        raise NotImplementedError

    def _wanted(self) -> bool:
        """Whether hand-overs wait for a link (the throttle may add one)."""
        raise NotImplementedError

    def _answered(self, job: Job, answer: Answer) -> None:
        if answer.verdict == SENT:
            self.throttle.success(demand=self._wanted())
            self._unexpected = 0
            self._finished(job, Outcome(SENT))
        elif answer.verdict in (FAILED, GONE):
            self._finished(job, Outcome(answer.verdict, answer.reason,
                                        f"refused for good: {answer.reason}"))
        elif answer.connection:
            self._connection_failed(job, answer.reason)
        else:
            self._retry(job, answer.reason)

    def _connection_failed(self, job: Job, reason: str) -> None:
        counted, give_up, pause, limit = self.throttle.failure(job.epoch)
        if give_up:
            self._finished(job, Outcome("retry", reason))
            self._later_again(job, 0.0)
            self._stop(f"giving up for now: {reason}")
            return
        log = (f"{reason}; slowing down to {limit} connection(s), retrying in {pause:g}s"
               if counted else "")
        self._finished(job, Outcome("retry", reason, log))
        self._later_again(job, pause)

    def _retry(self, job: Job, reason: str) -> None:
        job.tries += 1
        if job.tries > self.retry.retries:
            self._finished(job, Outcome("pending", reason,
                                        f"still failing, left for the next run: {reason}"))
            return
        wait = self.retry.wait(job.tries - 1)
        self._finished(job, Outcome("retry", reason, f"{reason}; retrying in {wait:g}s"))
        self._later_again(job, wait)

    def _unexpected_error(self, job: Job, exc: Exception, what: str) -> None:
        """An error nobody expected, for one recipient: that one is left pending with
        the cause; the run stops when such errors keep coming one after the other."""
        reason = f"{what}: {cause(exc)}"
        self._finished(job, Outcome("pending", reason, f"{reason}; left for the next run"))
        self._unexpected += 1
        if self._unexpected >= self.errors_in_a_row:
            self._stop(f"stopped after {self.errors_in_a_row} errors in a row, the last: "
                       f"{reason}", fatal=True)
