"""The HTML report in a real browser: headless Chromium through Selenium and the system
chromedriver (so Selenium Manager never reaches for the network). The page loads from a
file:// URL with no console error, filters and sorts exactly as the JSON says, draws
privilege paths, runs none of the hostile content and does not overflow sideways. It
leaves a full-page screenshot in out/screenshots/report.png for a person to look at."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from conftest import REPO

from reports import render
from reports.json_report import from_dict
from scanner.baseline import compare, load_baseline

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SAMPLE = REPO / "fixtures" / "reports" / "sample-scan.json"
BASELINE = REPO / "fixtures" / "reports" / "sample-baseline.json"
SCREENSHOT = REPO / "out" / "screenshots" / "report.png"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(
        f"needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver (.ci/run does)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

VISIBLE = """return Array.from(document.querySelectorAll('tbody.finding'))
  .filter(b => b.getClientRects().length > 0).map(b => Number(b.dataset.i));"""
PWNED = "return typeof window.__pwned;"


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    return json.loads(SAMPLE.read_text())["findings"]


@pytest.fixture(scope="module")
def report_url(tmp_path_factory) -> str:
    result = from_dict(json.loads(SAMPLE.read_text()))
    compare(result, load_baseline(BASELINE), "fixtures/reports/sample-baseline.json")
    page = tmp_path_factory.mktemp("report") / "report.html"
    page.write_text(render("html", result), encoding="utf-8")
    return page.as_uri()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    yield drv
    drv.quit()


@pytest.fixture
def page(driver, report_url):
    """A fresh load of the report for each test; console entries so far are drained."""
    driver.get(report_url)
    assert driver.execute_script("return document.readyState") == "complete"
    return driver


def severe(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def shown_text(driver) -> str:
    return driver.find_element(By.ID, "shown").text


def test_loads_with_no_console_error_and_no_injected_script(page, findings):
    assert severe(page) == []
    assert page.execute_script(PWNED) == "undefined"
    assert sorted(page.execute_script(VISIBLE)) == list(range(len(findings)))
    assert shown_text(page) == f"Showing all {len(findings)} findings"
    assert page.find_element(By.ID, "filters").is_displayed()  # the script revealed them


def test_severity_filter_shows_exactly_those_findings(page, findings):
    select = Select(page.find_element(By.ID, "filter-severity"))
    for sev in [o.get_attribute("value") for o in select.options if o.get_attribute("value")]:
        select.select_by_value(sev)
        expected = [i for i, f in enumerate(findings) if f["severity"] == sev]
        assert sorted(page.execute_script(VISIBLE)) == expected, sev
        assert shown_text(page) == f"Showing {len(expected)} of {len(findings)} findings"
    select.select_by_value("")
    assert len(page.execute_script(VISIBLE)) == len(findings)
    assert severe(page) == []


def test_filters_combine_and_reset(page, findings):
    Select(page.find_element(By.ID, "filter-source")).select_by_value("runtime")
    Select(page.find_element(By.ID, "filter-category")).select_by_value("isolation")
    expected = [
        i for i, f in enumerate(findings) if f["source"] == "runtime" and f["category"] == "isolation"
    ]
    assert len(expected) == 2 and sorted(page.execute_script(VISIBLE)) == expected
    Select(page.find_element(By.ID, "filter-muted")).select_by_value("yes")
    assert page.execute_script(VISIBLE) == []
    page.find_element(By.ID, "filter-reset").click()
    assert len(page.execute_script(VISIBLE)) == len(findings)


def test_text_filter(page, findings):
    box = page.find_element(By.ID, "filter-text")
    box.send_keys("GPU-NODE-A")  # case-insensitive, matches the node the runtime findings name
    expected = [i for i, f in enumerate(findings) if f["resource"].get("account") == "gpu-node-a"]
    assert len(expected) == 2 and sorted(page.execute_script(VISIBLE)) == expected
    unknown = next(i for i, f in enumerate(findings) if f["status"] == "unknown")
    box.clear()
    box.send_keys(findings[unknown]["fingerprint"])
    assert page.execute_script(VISIBLE) == [unknown]
    box.clear()
    box.send_keys("no such thing anywhere")
    assert page.execute_script(VISIBLE) == []
    assert shown_text(page) == f"Showing 0 of {len(findings)} findings"


def test_sorting_by_header_buttons(page, findings):
    initial = page.execute_script(VISIBLE)
    rule = page.find_element(By.CSS_SELECTOR, 'button.sort[data-key="rule"]')
    rule.click()
    by_rule = page.execute_script(VISIBLE)
    assert by_rule != initial
    assert [findings[i]["rule_id"] for i in by_rule] == sorted(f["rule_id"] for f in findings)
    th = rule.find_element(By.XPATH, "..")
    assert th.get_attribute("aria-sort") == "ascending"
    rule.click()
    assert [findings[i]["rule_id"] for i in page.execute_script(VISIBLE)] == sorted(
        (f["rule_id"] for f in findings), reverse=True
    )
    assert th.get_attribute("aria-sort") == "descending"
    rank = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
    sev = page.find_element(By.CSS_SELECTOR, 'button.sort[data-key="severity"]')
    sev.send_keys(" ")  # a button in the header: the keyboard sorts too
    ranks = [rank[findings[i]["severity"]] for i in page.execute_script(VISIBLE)]
    assert ranks == sorted(ranks, reverse=True)


def test_privilege_path_is_drawn_step_by_step(page, findings):
    f = next(f for f in findings if f.get("path"))
    svg = page.find_element(By.CSS_SELECTOR, "svg.path-diagram")
    assert svg.is_displayed() and svg.size["height"] > 200
    nodes = svg.find_elements(By.CSS_SELECTOR, "g.node")
    assert len(nodes) == len(f["path"])
    titles = page.execute_script(
        "return Array.from(arguments[0].querySelectorAll('g.node > title')).map(t => t.textContent);", svg
    )
    assert titles == [s["node"] for s in f["path"]]  # hostile node name: text, not markup
    techniques = [e.text for e in svg.find_elements(By.CSS_SELECTOR, "g.edge text.tech")]
    assert techniques == [s["technique"] for s in f["path"][:-1]]
    assert "iam:PassRole" in svg.find_elements(By.CSS_SELECTOR, "g.edge text.perms")[-1].text


def test_clicking_around_runs_no_hostile_content(page, findings):
    hostile = [i for i, f in enumerate(findings) if "__pwned" in json.dumps(f)]
    assert len(hostile) >= 3
    for i in hostile:  # real clicks where the hostile text is; every other detail opened at once
        summary = page.find_element(By.CSS_SELECTOR, f"#f-{i} details > summary")
        page.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
        summary.click()
    page.execute_script("document.querySelectorAll('details').forEach(d => { d.open = true; });")
    for key in ("severity", "resource", "location", "message"):
        page.find_element(By.CSS_SELECTOR, f'button.sort[data-key="{key}"]').click()
    for link in page.find_elements(By.CSS_SELECTOR, "#runtime a, #paths figcaption a"):
        page.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
    assert page.execute_script(PWNED) == "undefined"
    assert page.execute_script("return document.querySelectorAll('img, iframe').length") == 0
    assert page.execute_script("return document.scripts.length") == 2
    assert severe(page) == []


def test_a_5000_character_name_does_not_widen_the_page(page, findings):
    long = next(i for i, f in enumerate(findings) if len(f["resource"]["name"]) >= 5000)
    page.execute_script(f"document.querySelector('#f-{long} details').open = true;")
    width, inner = page.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];")
    assert width <= inner + 2, (width, inner)
    row = page.find_element(By.CSS_SELECTOR, f"#f-{long} tr.main")
    assert row.size["height"] < 200  # the name is clamped in the table; whole in the details


def test_screenshot_for_a_person(page, findings):
    """Full page, with a privilege-path finding's and a hostile finding's details open."""
    path_i = next(i for i, f in enumerate(findings) if f.get("path"))
    hostile_i = next(i for i, f in enumerate(findings) if len(f["resource"]["name"]) >= 5000)
    for i in (path_i, hostile_i):
        page.execute_script(f"document.querySelector('#f-{i} details').open = true;")
    size = page.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = page.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    png = base64.b64decode(shot["data"])
    SCREENSHOT.write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_an_empty_scan_loads_cleanly(driver, tmp_path):
    result = from_dict(json.loads(SAMPLE.read_text()))
    result.findings, result.errors = [], []
    page = tmp_path / "empty.html"
    page.write_text(render("html", result), encoding="utf-8")
    driver.get(page.as_uri())
    assert severe(driver) == []
    assert shown_text(driver) == "Showing all 0 findings"
    assert "No runtime findings in this scan." in driver.find_element(By.ID, "runtime").text
