"""The test school's listing as a page and as JSON, served by `oso-sim testschool` itself."""
from __future__ import annotations

from flask import Flask, jsonify, render_template_string

from harness.conformance.outcomes import GESLAAGD, MISLUKT, NIET_GEVERIFIEERD

# the outcome words of the conformance report, each with its own colour
KLASSE = {GESLAAGD: "geslaagd", MISLUKT: "mislukt", NIET_GEVERIFIEERD: "niet-geverifieerd"}

PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Testschool: wat deed het SWV?</title>
<meta http-equiv="refresh" content="5">
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: .35rem .5rem; text-align: left; vertical-align: top; }
/* koppelsleutels and URLs wrap inside their cell, so the table fits a 1280 px screen */
th, td { overflow-wrap: anywhere; }
th { background: #eef1f5; }
.mono { font-family: ui-monospace, monospace; font-size: .85em; }
.uitkomst { font-weight: 600; }
.small { font-size: .85em; font-weight: normal; }
.geslaagd { color: #0b6b2e; } .niet-geverifieerd { color: #7a5200; } .mislukt { color: #a8071a; }
</style></head><body>
<h1>Testschool: wat deed het SWV?</h1>
<p>Elke situatie stuurt een zorgvraag naar het SWV-systeem op <span class="mono">{{ swv }}</span>:
via de LAS van deze testschool, of via een harnas-LAS die levert wat een gewone LAS niet maakt.
Dezelfde situaties speelt de conformiteitstest. Het Traffic Center van de testschool:
<span class="mono">{{ tc }}/oso</span>. Deze pagina ververst zichzelf; als JSON:
<a href="api/testschool">api/testschool</a>.</p>
<table>
<thead><tr><th>Situatie</th><th>Leerling</th><th>Verwacht van een correct SWV</th><th>Koppelsleutel</th>
<th>Antwoord LAS op documentRequest</th><th>Afmelding</th><th>Terugkoppeling</th><th>Uitkomst</th></tr></thead>
<tbody>
{% for g in gevallen %}
{% set n = g.zorgvragen|length or 1 %}
{% for s in (g.zorgvragen or [{}]) %}
<tr id="flow-{{ g.flow }}{% if loop.index > 1 %}-{{ loop.index }}{% endif %}">
  {% if loop.first %}
  <td rowspan="{{ n }}"><strong>{{ g.titel }}</strong><br><span class="mono">{{ g.flow }}</span>
    <br><span class="small">LAS met {{ g.gedrag }}{% if g.harnas_las %} (harnas-LAS){% endif %}</span></td>
  <td rowspan="{{ n }}">{{ g.leerling.naam }} <span class="mono">({{ g.leerling.brin }}, id {{ g.leerling.id }})</span></td>
  <td rowspan="{{ n }}">{{ g.verwacht }}</td>
  {% endif %}
  <td class="mono">{% if s.koppelsleutel %}<a href="{{ s.tijdlijn }}">{{ s.koppelsleutel }}</a>{% else %}-{% endif %}</td>
  <td>{{ s.leveringen|join(', ') if s.leveringen else 'nog niet opgehaald' }}</td>
  <td>{{ s.afmelding or '-' }}</td>
  <td>{% if s.terugkoppeling_ontvangen %}ontvangen{% elif s.terugkoppeling_gemeld %}gemeld bij de TC{% else %}nog niet{% endif %}</td>
  {% if loop.first %}
  <td rowspan="{{ n }}" class="uitkomst {{ klasse.get(g.uitkomst, 'niet-geverifieerd') }}">
    {{ g.uitkomst }}{% if g.waarom %}<br><span class="small">{{ g.waarom }}</span>{% endif %}</td>
  {% endif %}
</tr>
{% endfor %}
{% endfor %}
</tbody></table>
</body></html>
"""


def create_app(school) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def pagina():
        return render_template_string(PAGE, gevallen=school.overzicht(), swv=school.swv_soap_url,
                                      tc=school.urls["tc"], klasse=KLASSE)

    @app.get("/api/testschool")
    def listing():
        return jsonify({"swv": school.swv_soap_url, "tc": school.urls["tc"] + "/oso",
                        "gevallen": school.overzicht()})

    return app
