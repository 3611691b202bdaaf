"""A bare Flask endpoint: the yardstick the search page is measured against."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
