"""The load test's users (run by bench/load.py; see its docstring).

Visitors browse the catalogue, search, look at the map; exhibitors sign in through the login
form, look at the plan and their page, and request booths through the API (201, or 409 when
someone has it: both are normal answers) and cancel some of what they got.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

WORLD = json.loads(Path(os.environ["EXHIBIT_LOAD_WORLD"]).read_text(encoding="utf-8"))
SLUG = WORLD["slug"]
STATUSES: Counter[int] = Counter()
_accounts = list(WORLD["accounts"])
#: Think time between a user's requests, seconds (bench/load.py --think).
THINK = tuple(float(x) for x in os.environ.get("EXHIBIT_LOAD_THINK", "1,4").split(","))
random.Random(7).shuffle(_accounts)


@events.request.add_listener
def _count(response=None, exception=None, **_kwargs) -> None:
    STATUSES[getattr(response, "status_code", 0) or 0] += 1


def _entry(stats, name: str, duration: float) -> dict:
    return {
        "name": name,
        "requests": stats.num_requests,
        "failures": stats.num_failures,
        "rps": stats.num_requests / duration,
        **{
            key: stats.get_response_time_percentile(q) if stats.num_requests else 0
            for key, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "max": stats.max_response_time if stats.num_requests else 0,
    }


@events.quitting.add_listener
def _save(environment, **_kwargs) -> None:
    """The final figures (the CSV files lag behind the last requests)."""
    path = os.environ.get("EXHIBIT_LOAD_RESULT")
    if not path:
        return
    stats = environment.stats
    duration = max(stats.total.last_request_timestamp - stats.total.start_time, 1e-9)
    entries = [_entry(s, f"{s.method} {s.name}", duration) for s in stats.entries.values()]
    result = {
        "statuses": {str(k): v for k, v in STATUSES.items()},
        "entries": sorted(entries, key=lambda e: e["name"]),
        "total": _entry(stats.total, "all", duration),
        "seconds": duration,
    }
    Path(path).write_text(json.dumps(result))


class Visitor(HttpUser):
    weight = 9
    wait_time = between(*THINK)

    @task(2)
    def home(self) -> None:
        self.client.get(f"/{SLUG}/", name="home")

    @task(3)
    def exhibitors(self) -> None:
        self.client.get(f"/{SLUG}/exhibitors/", name="exhibitors")

    @task(4)
    def exhibitor(self) -> None:
        exhibitor_id = random.choice(WORLD["exhibitors"])
        self.client.get(f"/{SLUG}/exhibitors/{exhibitor_id}", name="exhibitor")

    @task(3)
    def solution(self) -> None:
        solution_id = random.choice(WORLD["solutions"])
        self.client.get(f"/{SLUG}/solutions/{solution_id}", name="solution")

    @task(4)
    def search(self) -> None:
        query = random.choice(WORLD["queries"])
        self.client.get(f"/{SLUG}/search", params={"q": query}, name="search page")

    @task(1)
    def search_api(self) -> None:
        query = random.choice(WORLD["queries"])
        self.client.get(
            f"/api/v1/exhibitions/{SLUG}/search", params={"q": query}, name="search API"
        )

    @task(2)
    def hall_map(self) -> None:
        self.client.get(f"/{SLUG}/map", name="map")

    @task(1)
    def booths(self) -> None:
        self.client.get(f"/api/v1/exhibitions/{SLUG}/booths", name="booths GeoJSON")


class Exhibitor(HttpUser):
    weight = 1
    wait_time = between(*THINK)

    def on_start(self) -> None:
        account = _accounts.pop() if _accounts else random.choice(WORLD["accounts"])
        self.token = account["token"]
        self.mine: list[int] = []
        page = self.client.get("/login", name="login form").text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        self.client.post(
            "/login",
            data={"email": account["email"], "password": account["password"], "csrf_token": csrf},
            name="login",
            allow_redirects=False,
        )

    @task(2)
    def plan(self) -> None:
        self.client.get(f"/{SLUG}/plan", name="plan")

    @task(1)
    def my_page(self) -> None:
        self.client.get(f"/{SLUG}/my", name="my booths")

    @task(3)
    def reserve(self) -> None:
        number = random.choice(WORLD["booths"])
        with self.client.post(
            f"/api/v1/exhibitions/{SLUG}/booths/{number}/reservations",
            headers={"Authorization": f"Bearer {self.token}"},
            name="reserve (API)",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                self.mine.append(response.json()["id"])
                response.success()
            elif response.status_code in (403, 409):  # taken, blocked, over the limit
                response.success()

    @task(2)
    def cancel(self) -> None:
        if not self.mine:
            return
        reservation_id = self.mine.pop(0)
        with self.client.post(
            f"/api/v1/reservations/{reservation_id}/cancel",
            headers={"Authorization": f"Bearer {self.token}"},
            name="cancel (API)",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 409):  # 409: an organiser-side change got there first
                response.success()
