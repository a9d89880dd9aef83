"""Hostile inputs for every field a user can write (scratchpad, notes, evidence, Keep/Stop/Start, names).

Each payload that managed to run would call `window.__xss = 1` or `alert()`, so a browser test can
catch it with a window flag and a dialog handler; server-side tests check the sanitized HTML for
event-handler attributes and dangerous URL schemes. Written for mockloop, grouped by technique.
"""

from __future__ import annotations

JS = "window.__xss=1"

SCRIPT_TAGS = [
    f"<script>{JS}</script>",
    f"<SCRIPT>{JS}</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    f'<script src="data:text/javascript,{JS}"></script>',
    f"<script/src=data:,{JS}></script>",
    f'<script type="module">{JS}</script>',
    f"<script>/*</script><script>*/{JS}</script>",
    f"<<script>{JS}//<</script>",
    f"<scr<script>ipt>{JS}</scr</script>ipt>",
    f"</textarea><script>{JS}</script>",
    f"</textarea><img src=x onerror={JS}>",
    f"</title><script>{JS}</script>",
    f'"><script>{JS}</script>',
    f"'><script>{JS}</script>",
    f"</script><script>{JS}</script>",
    f"</div></main><script>{JS}</script>",
    f'<script\ttype="text/javascript">{JS};</script>',
    f"<script\n>{JS}</script\n>",
    f'<noscript><p title="</noscript><img src=x onerror={JS}>"></noscript>',
    f"<math><mtext><table><mglyph><style><img src=x onerror={JS}>",
    f'<svg></p><style><a id="</style><img src=1 onerror={JS}>">',
]

EVENT_HANDLERS = [
    f"<img src=x onerror={JS}>",
    f'<img src="x" onerror="{JS}">',
    f"<IMG SRC=x OnErRoR={JS}>",
    '<img src=x onerror="&#119;indow.__xss=1">',
    "<img src=x onerror=&#x77;&#x69;&#x6e;dow.__xss=1>",
    f"<img/src=x/onerror={JS}>",
    f"<img src=x onerror\n={JS}>",
    "<img src=x onerror=window['__xss']=1>",
    f"<img src=`x`onerror={JS}>",
    "<img src=x:alert(1) onerror=eval(src)>",
    f"<image src=x onerror={JS}>",
    f"<body onload={JS}>",
    f"<body onpageshow={JS}>",
    f"<svg onload={JS}>",
    f"<svg/onload={JS}>",
    f"<input autofocus onfocus={JS}>",
    f"<select autofocus onfocus={JS}></select>",
    f"<textarea autofocus onfocus={JS}></textarea>",
    f"<details open ontoggle={JS}><summary>x</summary></details>",
    f"<video><source onerror={JS}></video>",
    f"<audio src=x onerror={JS}></audio>",
    f"<marquee onstart={JS}>x</marquee>",
    f"<div onmouseover={JS}>hover me</div>",
    f"<a onclick={JS} href=#>click me</a>",
    f'<a href="#" onfocus="{JS}" autofocus tabindex=1>focus</a>',
    f"<p onpointerenter={JS}>point</p>",
    f"<x onclick={JS}>custom element</x>",
    f"<iframe onload={JS}></iframe>",
    f"<object data=x onerror={JS}></object>",
    f"<style onload={JS}></style>",
    f"<link rel=stylesheet href=x onerror={JS}>",
    f"<form><button formaction=javascript:{JS}>go</button></form>",
    f"<isindex type=image src=1 onerror={JS}>",
    f"<div/onmouseover='{JS}'>slash</div>",
    f"<b onmouseover={JS}>bold</b>",
    f"<table onmouseover={JS}><tr><td onclick={JS}>cell</td></tr></table>",
    f"<h1 onclick={JS}>heading</h1>",
]

MARKDOWN_URLS = [
    f"[click](javascript:{JS})",
    f"[click](JaVaScRiPt:{JS})",
    f"[click](  javascript:{JS})",
    f"[click](<javascript:{JS}>)",
    f"[click](javascript&#58;{JS})",
    f"[click](&#106;avascript:{JS})",
    f"[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;{JS})",
    f"[click](javascript:/**/{JS})",
    f"[click](javascript://%0A{JS})",
    f'[click](javascript:{JS} "title")',
    "[click](vbscript:msgbox(1))",
    "[click](VBScript:MsgBox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    f"[click](data:text/html,<script>{JS}</script>)",
    f"![img](javascript:{JS})",
    f'![img](x" onerror="{JS})',
    f'![img](http://example.com/a.png "\\" onerror=\\"{JS}")',
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    f'[a](http://example.com" onclick="{JS})',
    f'[a](x "t\\" onmouseover=\\"{JS}")',
    f'[a](#" onclick="{JS})',
    f'[a](http://example.com "<img src=x onerror={JS}>")',
    f"[<img src=x onerror={JS}>](http://example.com)",
    f"[![img](x)](javascript:{JS})",
    f"<javascript:{JS}>",
    "<vbscript:msgbox(1)>",
    f"<http://example.com/<script>{JS}</script>>",
    f"<mailto:x@example.com?body=<script>{JS}</script>>",
    f'<x@example.com" onclick="{JS}>',
]

REFERENCE_LINKS = [
    f"[click][xss]\n\n[xss]: javascript:{JS}",
    f'[click][1]\n\n[1]: javascript:{JS} "title"',
    f"[click][1]\n\n[1]: <javascript:{JS}>",
    f"![img][pic]\n\n[pic]: javascript:{JS}",
    f"[xss]\n\n[xss]: JAVASCRIPT:{JS}",
    "[xss]: vbscript:msgbox(1)\n\n[go][xss]",
    f"[xss][]\n\n[xss]: data:text/html,<script>{JS}</script>",
    f'[ok][r]\n\n[r]: http://example.com "\\" onclick=\\"{JS}"',
]

RAW_URLS = [
    f'<a href="javascript:{JS}">raw</a>',
    f"<a href=javascript:{JS}>unquoted</a>",
    f"<a href='javascript:{JS}'>single</a>",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;window.__xss=1">entities</a>',
    f'<a href="&#x6A;avascript&colon;{JS}">hex</a>',
    f'<a href="javascript&colon;{JS}">colon entity</a>',
    f'<a href=" &#14; javascript:{JS}">control</a>',
    f'<a href="jav&#x09;ascript:{JS}">tab</a>',
    f'<a href="jav&#x0A;ascript:{JS}">newline</a>',
    f'<a href="jav\tascript:{JS}">literal tab</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==">data</a>',
    f'<a xlink:href="javascript:{JS}">xlink</a>',
    f'<A HREF="JAVASCRIPT:{JS}">UPPER</A>',
    f"<IMG SRC=JaVaScRiPt:{JS}>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)>",
    f'<base href="javascript:{JS}//">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{JS}">',
    f'<form action="javascript:{JS}"><input type=submit value=go></form>',
    f'<embed src="javascript:{JS}">',
    f'<object data="javascript:{JS}"></object>',
    f'<iframe src="javascript:{JS}"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<iframe src="data:text/html,<script>parent.__xss=1</script>"></iframe>',
    f'<math href="javascript:{JS}">math</math>',
    f'<table background="javascript:{JS}"><tr><td>bg</td></tr></table>',
]

SVG = [
    f"<svg><script>{JS}</script></svg>",
    f'<svg><a xlink:href="javascript:{JS}"><text x="20" y="20">svg link</text></a></svg>',
    f"<svg><animate onbegin={JS} attributeName=x dur=1s>",
    f"<svg><set attributeName=onmouseover to={JS}>",
    f"<svg><image href=x onerror={JS}></svg>",
    '<svg><foreignObject><iframe srcdoc="<script>parent.__xss=1</script>"></iframe></foreignObject></svg>',
    f"<svg><style>@import'javascript:{JS}';</style></svg>",
    f"<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
    f"<image href='x' onerror='{JS}'/></svg>#x\"></use></svg>",
]

STYLES = [
    f'<div style="width:expression({JS})">expression</div>',
    f'<div style="background:url(javascript:{JS})">bg url</div>',
    f'<div style="x:expr/**/ession({JS})">split</div>',
    '<p style="behavior:url(x.htc)">behavior</p>',
    f'<style>body{{background:url("javascript:{JS}")}}</style>',
    f'<style>@import "javascript:{JS}";</style>',
    f'<link rel=stylesheet href="javascript:{JS}">',
    "<style>*{display:none}</style>",
]

ENCODED_AND_BROKEN = [
    f"&lt;script&gt;{JS}&lt;/script&gt;",
    f"&#60;script&#62;{JS}&#60;/script&#62;",
    f"\\x3cscript\\x3e{JS}\\x3c/script\\x3e",
    f"%3Cscript%3E{JS}%3C/script%3E",
    f"\\<script\\>{JS}\\</script\\>",
    f"&lt;img src=x onerror={JS}&gt;",
    f"<img src=x onerror={JS}",
    f"<<img src=x onerror={JS}>>",
    f"<img src=x onerror={JS} <b>",
    f'<a href="javascript:{JS}"',
    f'<img """><script>{JS}</script>">',
    f'<!--<img src="--><img src=x onerror={JS}//">',
    f"<![CDATA[<script>{JS}</script>]]>",
    f'<?xml version="1.0"?><script>{JS}</script>',
    f"<!DOCTYPE html><script>{JS}</script>",
    f"</p><img src=x onerror={JS}><p>",
    f'<img src=x onerror="{JS}"/>',
    f"<plaintext><img src=x onerror={JS}>",
    f"<xmp><img src=x onerror={JS}></xmp>",
    f"<title><img src=x onerror={JS}></title>",
    f"<listing><img src=x onerror={JS}></listing>",
    f"<noembed><img src=x onerror={JS}></noembed>",
    f"<template><img src=x onerror={JS}></template>",
    f"<scr\u0000ipt>{JS}</scr\u0000ipt>",
    f"<img src=x one\u0000rror={JS}>",
    f"<img src=x onerror\u00a0={JS}>",
]

MARKDOWN_TRICKS = [
    f"```html\n<script>{JS}</script>\n```",
    f"```\n</code></pre><img src=x onerror={JS}>\n```",
    f"`<img src=x onerror={JS}>`",
    f"    <script>{JS}</script>",
    f"| a | b |\n|---|---|\n| <img src=x onerror={JS}> | [x](javascript:{JS}) |",
    f"> <img src=x onerror={JS}>\n> [quote](javascript:{JS})",
    f"* [item](javascript:{JS})\n* <b onclick={JS}>item</b>",
    f"# <img src=x onerror={JS}>",
    f"**<img src=x onerror={JS}>**",
    f'<div markdown="1">[inside](javascript:{JS})</div>',
    f"[x](javascript:{JS})<!-- comment -->",
    f'<a href="http://example.com">[nested](javascript:{JS})</a>',
    f'[x](javascript:{JS}){{: onclick="{JS}" }}',
    f"## Heading {{#id onclick={JS}}}",
    f"Text  \n<img src=x onerror={JS}>\n\n---\n<svg onload={JS}>",
]

PAYLOADS: list[str] = (
    SCRIPT_TAGS
    + EVENT_HANDLERS
    + MARKDOWN_URLS
    + REFERENCE_LINKS
    + RAW_URLS
    + SVG
    + STYLES
    + ENCODED_AND_BROKEN
    + MARKDOWN_TRICKS
)

# Display names hold at most 80 characters and one line: the short payloads as they are, the longer
# ones cut (a cut payload is a broken tag, which is hostile input too).
# (NUL characters never reach the database: the app drops them from every request.)
NAME_PAYLOADS: list[str] = [" ".join(p.replace("\x00", "").split())[:80] for p in PAYLOADS if p.strip()]

assert len(PAYLOADS) >= 100 and len(set(PAYLOADS)) == len(PAYLOADS)
