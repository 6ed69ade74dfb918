"""The offline documentation page at ``/api/docs``: the OpenAPI description as one Dutch HTML page.

Its CSS and its small "Probeer het" script are inline: no CDN, no scripts from elsewhere.

Example:
    >>> page = render_docs({"paths": {}, "components": {"schemas": {}}})
    >>> page.startswith("<!doctype html>") and 'lang="nl"' in page
    True
"""

from __future__ import annotations

import html
import json
from typing import Any

from assistant.web.api_models import EXAMPLE_QUESTION

_STYLE = (  # the page's only CSS: inline, no stylesheet from elsewhere
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;"
    "padding:1rem 1.25rem;line-height:1.5;color:#1f2937}\n"
    "h1{color:#154273} "
    "h2{font-size:1.1rem;margin-top:2rem;border-top:1px solid #d1d5db;padding-top:1rem}\n"
    "code,pre,textarea{font-family:ui-monospace,Menlo,Consolas,monospace} "
    "pre{background:#f3f4f6;padding:.75rem;overflow:auto}\n"
    "table{border-collapse:collapse;width:100%} "
    "td,th{border:1px solid #d1d5db;padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
    "textarea{width:100%;min-height:6rem;box-sizing:border-box} "
    "button{font:inherit;padding:.4rem 1rem;background:#154273;color:#fff;border:0;border-radius:4px;cursor:pointer}\n"
    "button:focus-visible,textarea:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}\n"
)


def _schema_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"lijst van {_schema_name(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " of ".join(_schema_name(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    return str(schema.get("type", "object"))


def render_docs(spec: dict[str, Any]) -> str:
    """The OpenAPI description as one self-contained Dutch HTML page (no CDN, no scripts from elsewhere)."""
    esc = html.escape
    parts: list[str] = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            anchor = f"{method}-{path}".replace("/", "-").strip("-")
            parts.append(f'<section id="{esc(anchor)}"><h2><code>{method.upper()} {esc(path)}</code></h2>')
            parts.append(f"<p><strong>{esc(op.get('summary', ''))}</strong></p>")
            if op.get("description"):
                parts.append(f"<p>{esc(op['description'])}</p>")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                parts.append(
                    f'<p>Inhoud (JSON): <a href="#schema-{esc(_schema_name(body))}">{esc(_schema_name(body))}</a></p>'
                )
            rows = []
            for code, response in op.get("responses", {}).items():
                content = response.get("content", {})
                first: dict[str, Any] = next(iter(content.values()), {})
                schema = first.get("schema")
                kind = esc(_schema_name(schema)) if schema else ", ".join(esc(c) for c in content) or "—"
                rows.append(
                    f"<tr><td>{esc(code)}</td><td>{esc(response.get('description', ''))}</td><td>{kind}</td></tr>"
                )
            parts.append("<table><thead><tr><th>Status</th><th>Betekenis</th><th>Inhoud</th></tr></thead><tbody>")
            parts.extend(rows)
            parts.append("</tbody></table></section>")
    schemas = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        rows = [
            f"<tr><td><code>{esc(field)}</code>{'' if field in required else ' (optioneel)'}</td>"
            f"<td>{esc(_schema_name(prop))}</td><td>{esc(prop.get('description', ''))}</td></tr>"
            for field, prop in schema.get("properties", {}).items()
        ]
        schemas.append(
            f'<section id="schema-{esc(name)}"><h3>{esc(name)}</h3>'
            f"<p>{esc(schema.get('description', ''))}</p><table><thead><tr><th>Veld</th><th>Type</th>"
            f"<th>Uitleg</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
        )
    example = esc(json.dumps({"question": EXAMPLE_QUESTION}, ensure_ascii=False, indent=2))
    ask_examples = spec.get("components", {}).get("schemas", {}).get("AskRequest", {}).get("examples", [])
    restricted = next((e for e in ask_examples if e.get("documents")), None)
    restricting = (
        "<h2>Een vraag beperken tot documenten</h2>\n<p>Met <code>documents</code> komt het antwoord alleen uit de "
        'genoemde documenten (weglaten: uit alle). <a href="documents">GET documents</a> noemt de geladen '
        "documenten met de namen die hier passen; een onbekende naam geeft 422 met uitleg. Onder <code>/v1</code> "
        "kan hetzelfde veld in de chat completion (in de OpenAI-client als <code>extra_body</code>).</p>\n"
        f"<pre>{esc(json.dumps(restricted, ensure_ascii=False, indent=2))}</pre>\n"
        if restricted
        else ""
    )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API — AWT-assistent</title>
<style>
{_STYLE}</style></head><body><main>
<h1>AWT-assistent — API</h1>
<p>Een JSON-API over het AWT-advies ‘De kracht van sociale innovatie’ (advies 84, 2014). Foutmeldingen zijn
Nederlands, als <code>{{"detail": "…"}}</code>. Een adres onder <code>/api</code> dat niet bestaat geeft 404; een
methode die een adres niet kent geeft 405, met de methoden die het wel kent in de header <code>Allow</code>. Onder
<code>/v1</code> spreekt de assistent het OpenAI-protocol (chat completions), voor chatprogramma's zoals Open WebUI
en LibreChat; daar hebben foutmeldingen de vorm van OpenAI, <code>{{"error": {{"message": "…"}}}}</code>. De
machineleesbare beschrijving staat in <a href="openapi.json">openapi.json</a>.</p>
<h2>Probeer het</h2>
<label for="body">Inhoud voor <code>POST ask</code></label>
<textarea id="body">{example}</textarea>
<p><button type="button" id="send">Verstuur</button></p>
<pre id="result" aria-live="polite"></pre>
{restricting}{"".join(parts)}
<h2>Gegevenstypen</h2>
{"".join(schemas)}
</main>
<script>
document.getElementById('send').addEventListener('click', async function () {{
  var out = document.getElementById('result');
  out.textContent = 'Bezig…';
  try {{
    var r = await fetch('ask', {{method: 'POST', headers: {{'Content-Type': 'application/json'}},
                                 body: document.getElementById('body').value}});
    out.textContent = r.status + '\\n' + JSON.stringify(await r.json(), null, 2);
  }} catch (e) {{ out.textContent = 'Fout: ' + e; }}
}});
</script></body></html>"""
