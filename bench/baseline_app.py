"""The baseline of bench/load.py: a bare Flask app (no database, no extensions) whose one route renders a
Jinja template of N table rows, so the benchmark can compare each page with a template of the same size
served by the same gunicorn settings.

    gunicorn --chdir bench baseline_app:app     then GET /render/<rows>
"""
from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/app.css">
</head><body><header><nav><a href="/">{{ title }}</a></nav></header><main><h1>{{ title }}</h1>
<table class="list"><thead><tr><th>#</th><th>标题</th><th>地点</th><th>时间</th></tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.n }}</td><td><a href="/items/{{ row.n }}">{{ row.title }}</a></td>
<td>{{ row.place }}</td><td>{{ row.when }}</td></tr>
{% endfor %}</tbody></table></main><footer>{{ title }}</footer></body></html>
"""

app = Flask(__name__)
app.jinja_loader = DictLoader({"baseline.html": TEMPLATE})


@app.get("/render/<int:count>")
def render(count: int):
    rows = [{"n": n, "title": f"第{n}次社区座谈会：老旧小区改造 & 加装电梯",
             "place": "江岸区百步亭花园社区党群服务中心多功能厅", "when": "2026年12月8日 星期二 14:30"}
            for n in range(min(count, 100_000))]
    return render_template("baseline.html", title="市民议事厅", rows=rows)
