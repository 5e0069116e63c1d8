<?xml version="1.0" encoding="UTF-8"?>
<!-- feedkit's feed stylesheet: shows an Atom or RSS feed as a page when a browser
     opens it. Feed readers ignore it. Override with a feed.xsl in templates/. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <!-- The page's words follow the feed's language (xml:lang or <language>):
       Swedish and English here; add a branch for another language. -->
  <xsl:variable name="lang" select="translate(substring(/atom:feed/@xml:lang | /rss/channel/language, 1, 2), 'SVEN', 'sven')"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/>
          <xsl:choose><xsl:when test="$lang = 'sv'"> (flöde)</xsl:when><xsl:otherwise> (feed)</xsl:otherwise></xsl:choose></title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto;
                 padding: 0 1rem; line-height: 1.5; color: #222;
                 overflow-wrap: anywhere; word-break: break-word; }
          .note { background: #f3f3f3; padding: .75rem 1rem; border-radius: .25rem; }
          article { border-top: 1px solid #ddd; padding: .5rem 0; }
          time { color: #666; font-size: .9em; }
        </style>
      </head>
      <body>
        <p class="note"><xsl:choose>
          <xsl:when test="$lang = 'sv'">Det här är ett webbflöde. Kopiera adressen från
            adressfältet till en flödesläsare för att följa nya inlägg.</xsl:when>
          <xsl:otherwise>This is a web feed. Copy its address from the address bar into
            a feed reader to follow new posts.</xsl:otherwise>
        </xsl:choose></p>
        <h1><xsl:value-of select="$title"/></h1>
        <p><xsl:value-of select="atom:feed/atom:subtitle"/><xsl:value-of
          select="rss/channel/description" disable-output-escaping="yes"/></p>
        <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article>
      <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <time><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
      <xsl:text> </xsl:text><xsl:value-of select="atom:author/atom:name"/>
      <p><xsl:value-of select="atom:summary"/></p>
    </article>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <time><xsl:value-of select="pubDate"/></time>
      <!-- feedkit writes RSS descriptions as escaped text: show it as HTML. -->
      <p><xsl:value-of select="description" disable-output-escaping="yes"/></p>
    </article>
  </xsl:template>
</xsl:stylesheet>
