"""A page for trying the built front-end modules on their own in a browser (tests/e2e/test_editor_module.py,
bench/editor.py). It is no route of the app: ModulePage wraps the app's WSGI callable, answers
/_module-test/ itself (a bare page under the app's own page CSP, and a script that puts the modules
on `window.modules`) and hands every other request to the app, so the bundles arrive exactly as the
app serves them. It records every path it was asked for.
"""

from __future__ import annotations

import threading
from html import escape

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from mockloop.web.pages import CSP

ROOT = "/_module-test/"

# Python that the page shows in a pre.code-view, as the scorecard does; code-view.js highlights it on load.
SHOWN = 'def greet(name):\n    return "<b>" + name  # not markup\n'

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>module test</title>
<link rel="stylesheet" href="/static/mockloop.css"><link rel="icon" href="/static/favicon.svg"></head>
<body><main>
<button type="button">Before the editor</button>
<div id="host"></div>
<button type="button">After the editor</button>
<pre class="code-view" id="shown"><code data-language="python">{shown}</code></pre>
<pre id="scratch"></pre>
</main><script type="module" src="{root}page.js"></script></body></html>"""


class ModulePage:
    def __init__(self, app, modules: dict[str, str]):
        """modules: the name on window.modules -> the logical asset name ("editor": "editor.js")."""
        self.app = app
        with app.test_request_context():
            asset_url = app.jinja_env.globals["asset_url"]
            urls = {key: asset_url(name) for key, name in modules.items()}
        imports = "".join(f'import * as {key} from "{url}";\n' for key, url in urls.items())
        self.script = f"{imports}window.modules = {{ {', '.join(urls)} }};\nwindow.modulesReady = true;\n"
        self.page = PAGE.format(shown=escape(SHOWN), root=ROOT)
        self.paths: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.paths.append(request.path)
        if request.path == ROOT:
            response = Response(self.page, content_type="text/html")
        elif request.path == ROOT + "page.js":
            response = Response(self.script, content_type="text/javascript")
        else:
            return self.app(environ, start_response)
        response.headers["Content-Security-Policy"] = CSP
        return response(environ, start_response)


def serve(wsgi):
    """(server, its URL): on a free 127.0.0.1 port, in a daemon thread; shut it down after use."""
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"
