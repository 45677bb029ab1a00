"""Online learning fed by real brokers, end to end against the live binary: a service declared
with an `mqtt://` source receives `mledger simulate --mqtt` through a mosquitto this test starts,
another with a `kafka://` source receives `mledger simulate --kafka` (and confluent-kafka's own
producer) through tansu. Both train and anchor a snapshot; `:explain` answers DeepLIFT
attributions whose rows sum to f(x) - f(baseline) as `:predict` reports it; `/diagnostics`
p-values equal scipy's and statsmodels' on the residuals the service reports; `mledger ol
report` on the live node's files recomputes the recorded validation MSE; malformed
messages are counted by reason in /metrics and the service keeps running."""

import json
import re
import time

import numpy as np
import paho.mqtt.client as paho
import pytest
import requests
import scipy.stats as st
from PIL import Image
from confluent_kafka import Producer
from statsmodels.stats.diagnostic import normal_ad

import brokers
from dev_chain import REPO_ROOT
from mledger_node import mledger, start_rest_dev_node

SERIES = REPO_ROOT.parent / "shared" / "datasets" / "pv-greensboro-hourly.csv"
HOURS = 120
WINDOW, HORIZON = 36, 24


def declaration(name: str, source: str) -> dict:
    return {"name": name, "organization_id": "acme-streams", "developer_id": "dev-1", "sources": [source],
            "transformer": {"lateness_seconds": 0}, "batch": {"hours": 12},
            "snapshot": {"min_relative_improvement": 0.0}, "training": {"seed": 3}, "explainer": True}


def simulate(*target: str) -> None:
    assert SERIES.is_file(), f"dataset missing: {SERIES}"
    result = mledger("simulate", "--series", str(SERIES), "--speedup", "720000", "--hours", str(HOURS),
                     "--batch", "600", *target, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def dropped(api: str, service: str) -> dict[str, int]:
    """`mledger_ol_dropped_total` of one service, by reason."""
    counts = {}
    for line in requests.get(f"{api}/metrics", timeout=30).text.splitlines():
        if not line.startswith("mledger_ol_dropped_total{"):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.index("}")]))
        if labels.get("service") == service:
            counts[labels["reason"]] = int(float(line.rsplit(" ", 1)[1]))
    return counts


def wait_for(predicate, what: str, timeout: float = 240):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; last: {value}")


def wait_until_trained(api: str, name: str) -> dict:
    """All hours of the replay closed (the last stays open: nothing newer passes its end), every
    reading accepted, no step running or pending, at least one snapshot served."""
    def done():
        status = requests.get(f"{api}/ol/{name}", timeout=30).json()
        if (status["hours_closed"] >= HOURS - 1 and status["readings_accepted"] >= HOURS * 3600
                and not status["training"] and status["ready"]):
            return status
        return None
    status = wait_for(done, f"{name} to ingest {HOURS - 1} closed hours and anchor a snapshot")
    assert status["hours_closed"] == HOURS - 1 and status["gap_hours"] == 0, status
    assert status["readings_accepted"] == HOURS * 3600 and status["open_hours"] == 1, status
    return status


def check_explanations_and_diagnostics(api: str, name: str, status: dict) -> None:
    snapshot = status["snapshots"][-1]
    lo, hi = snapshot["scaler"]["min"], snapshot["scaler"]["max"]
    series = [float(x) for x in SERIES.read_text().splitlines()[1:HOURS + 1]]
    window = series[60:60 + WINDOW]
    baseline = [lo] * WINDOW  # the explainer's zero baseline, in raw units

    r = requests.post(f"{api}/v1/models/{name}:explain", json={"instances": [window]}, timeout=120)
    assert r.status_code == 200, r.text
    attributions = np.array(r.json()["explanations"][0])
    assert attributions.shape == (HORIZON, WINDOW)
    r = requests.post(f"{api}/v1/models/{name}:predict", json={"instances": [window, baseline]}, timeout=60)
    assert r.status_code == 200, r.text
    at_input, at_baseline = (np.array(p) for p in r.json()["predictions"])
    delta = (at_input - at_baseline) / (hi - lo)  # scaled units, as the attributions
    # Required: within 1e-4. Checked tighter (float32 forecasts limit the comparison to ~1e-7),
    # since a briefly trained model moves its forecasts by well under a percent of the range.
    assert np.abs(delta).max() > 1e-4, "input and baseline forecasts barely differ: the check would prove nothing"
    np.testing.assert_allclose(attributions.sum(axis=1), delta, rtol=0, atol=1e-5)

    r = requests.get(f"{api}/v1/models/{name}/diagnostics", timeout=60)
    assert r.status_code == 200, r.text
    answer = r.json()
    residuals = np.array(answer["residual_values"])
    assert answer["snapshot"] == snapshot["contract_address"]
    assert answer["residuals"] == len(residuals) and len(residuals) % HORIZON == 0 and len(residuals) >= HORIZON
    tests = answer["tests"]
    close = lambda ours, theirs: abs(ours - theirs) <= 1e-6 * max(1.0, abs(theirs))
    sw, k2 = st.shapiro(residuals), st.normaltest(residuals)
    ad, ad_p = normal_ad(residuals)
    assert close(tests["shapiro_wilk"]["p_value"], sw.pvalue), (tests, sw)
    assert close(tests["dagostino_pearson"]["p_value"], k2.pvalue), (tests, k2)
    assert close(tests["anderson_darling"]["p_value"], ad_p), (tests, ad_p)
    assert close(tests["shapiro_wilk"]["statistic"], sw.statistic) and close(tests["anderson_darling"]["statistic"], ad)


def check_report(node, name: str, status: dict, tmp_path) -> None:
    """`mledger ol report` on the live node's files: the serving snapshot's recorded validation
    MSE recomputed, the p-values of the residuals it recomputes equal to scipy's and statsmodels',
    a PNG that Pillow decodes."""
    out = tmp_path / f"{name}.png"
    result = mledger("ol", "report", "--datadir", str(node.datadir), "--name", name, "--out", str(out), "--hours", "48", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    snapshot = status["snapshots"][-1]
    assert report["snapshot"]["contract_address"] == snapshot["contract_address"]
    assert report["validation_mse"] == pytest.approx(snapshot["validation_mse"], rel=1e-9)
    residuals = np.array(requests.get(f"{node.api}/v1/models/{name}/diagnostics", timeout=60).json()["residual_values"])
    assert report["normality"]["n"] == len(residuals)
    close = lambda ours, theirs: abs(ours - theirs) <= 1e-6 * max(1.0, abs(theirs))
    assert close(report["p_values"]["shapiro_wilk"], st.shapiro(residuals).pvalue)
    assert close(report["p_values"]["dagostino_pearson"], st.normaltest(residuals).pvalue)
    assert close(report["p_values"]["anderson_darling"], normal_ad(residuals)[1])
    assert report["points"] > 0 and report["points"] % HORIZON == 0 and report["points"] <= 48
    with Image.open(out) as image:
        image.load()
        assert image.format == "PNG" and image.size == (1200, 460)
        assert len(image.convert("RGB").getcolors(1 << 20)) > 4, "a chart has more than a few colours"
    # Unknown service: a precise refusal, no file written.
    missing = tmp_path / "none.png"
    result = mledger("ol", "report", "--datadir", str(node.datadir), "--name", "nobody", "--out", str(missing))
    assert result.returncode != 0 and "no online-learning service nobody" in result.stderr and not missing.exists()


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    process = start_rest_dev_node(tmp_path_factory.mktemp("ol-streams") / "node.log")
    yield process
    assert process.stop() == 0, process.log_tail()


def test_mqtt_source_fed_by_the_simulator(node, tmp_path):
    broker = brokers.mosquitto(tmp_path)
    try:
        topic = "plant/readings"
        r = requests.post(f"{node.api}/ol", json=declaration("pv-mqtt", f"mqtt://127.0.0.1:{broker.port}/{topic}?qos=1"), timeout=60)
        assert r.status_code == 201, r.text
        publisher = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="ol-interop-probe")
        publisher.connect("127.0.0.1", broker.port)
        publisher.loop_start()

        def publish(payload: bytes) -> None:
            publisher.publish(topic, payload, qos=1).wait_for_publish(10)

        # Until the service's subscription is live, messages are lost: probe with malformed ones.
        probes = 0
        def subscribed():
            nonlocal probes
            publish(b"{not json")
            probes += 1
            time.sleep(0.2)
            return dropped(node.api, "pv-mqtt").get("not_json", 0) > 0
        wait_for(subscribed, "the service to subscribe", timeout=60)
        time.sleep(1)  # probes in flight settle; those sent before the subscription are gone
        seen = dropped(node.api, "pv-mqtt")["not_json"]
        assert 1 <= seen <= probes

        good = {"timestamp": 1_704_067_200, "voltage": [230, 230, 230], "current": [1, 1, 1], "power_factor": [1, 1, 1]}
        malformed = {
            "not_json": [b"\xff\xfe", b'{"timestamp": 1'],
            "not_object": [b"42", b'"text"'],
            "empty_message": [b"[]"],
            "missing_field": [json.dumps({k: v for k, v in good.items() if k != "current"}).encode()],
            "bad_timestamp": [json.dumps({**good, "timestamp": "yesterday"}).encode()],
            "bad_phases": [json.dumps({**good, "voltage": [230, 230]}).encode()],
        }
        for payloads in malformed.values():
            for payload in payloads:
                publish(payload)
        expected = {reason: len(p) for reason, p in malformed.items()}
        expected["not_json"] += seen
        wait_for(lambda: all(dropped(node.api, "pv-mqtt").get(k, 0) == v for k, v in expected.items()),
                 f"malformed messages counted by reason: {expected}", 30)
        publisher.loop_stop()
        publisher.disconnect()

        simulate("--mqtt", f"mqtt://127.0.0.1:{broker.port}/{topic}?qos=1")
        status = wait_until_trained(node.api, "pv-mqtt")
        assert status["training_steps"] >= 1
        check_explanations_and_diagnostics(node.api, "pv-mqtt", status)
        check_report(node, "pv-mqtt", status, tmp_path)
        # The malformed messages changed nothing the service trained on, and it still serves.
        assert dropped(node.api, "pv-mqtt") == expected
        assert requests.get(f"{node.api}/v1/models/pv-mqtt", timeout=30).json() == {"name": "pv-mqtt", "ready": True}
    finally:
        requests.delete(f"{node.api}/ol/pv-mqtt", timeout=60)
        broker.stop()


def test_kafka_source_fed_by_the_simulator_and_confluent_kafka(node, tmp_path):
    broker = brokers.tansu(tmp_path)
    try:
        topic = "readings"
        brokers.create_topic(broker, topic)
        # confluent-kafka (its own librdkafka) produces first: two malformed messages at offsets 0 and 1.
        producer = Producer({"bootstrap.servers": f"127.0.0.1:{broker.port}", "api.version.request": True})
        producer.produce(topic, b"{broken", partition=0)
        producer.produce(topic, b"[]", partition=0)
        assert producer.flush(30) == 0
        simulate("--kafka", f"kafka://127.0.0.1:{broker.port}/{topic}", "--gzip")
        # Declared after the data is on the broker: the service reads the topic from its start.
        source = f"kafka://127.0.0.1:{broker.port}/{topic}"
        r = requests.post(f"{node.api}/ol", json=declaration("pv-kafka", source), timeout=60)
        assert r.status_code == 201, r.text
        status = wait_until_trained(node.api, "pv-kafka")
        # 2 malformed + one message per 600 readings (an hour is 6 messages).
        assert status["positions"][source] == 2 + HOURS * 6 - 1, status["positions"]
        wait_for(lambda: dropped(node.api, "pv-kafka") == {"not_json": 1, "empty_message": 1}, "Kafka drops counted", 10)
        check_explanations_and_diagnostics(node.api, "pv-kafka", status)
    finally:
        requests.delete(f"{node.api}/ol/pv-kafka", timeout=60)
        broker.stop()


def test_mqtt_broker_restart_loses_nothing_at_qos1(node, tmp_path):
    """mosquitto (with persistence) restarted under a running service: the service reconnects
    (backoff from 1 s) to its persistent session, and the QoS 1 readings published while it was
    away arrive; every reading is counted once."""
    port = brokers.free_port()
    config = tmp_path / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
                      f"persistence true\npersistence_location {tmp_path}/\nuser {brokers.getpass.getuser()}\n")
    command = [brokers.locate("mosquitto"), "-c", str(config)]
    broker = brokers.Broker(command, port, tmp_path)
    topic = "plant/restart"
    name = "pv-restart"
    try:
        r = requests.post(f"{node.api}/ol", json=declaration(name, f"mqtt://127.0.0.1:{port}/{topic}?qos=1"), timeout=60)
        assert r.status_code == 201, r.text

        def publisher() -> paho.Client:
            client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"ol-restart-{time.monotonic_ns()}")
            client.connect("127.0.0.1", port)
            client.loop_start()
            return client

        client = publisher()
        wait_for(lambda: (client.publish(topic, b"{probe", qos=1).wait_for_publish(10), time.sleep(0.2),
                          dropped(node.api, name).get("not_json", 0) > 0)[-1], "the service to subscribe", timeout=60)
        start = 1_704_067_200
        def readings(first: int, count: int) -> bytes:
            return json.dumps([{"timestamp": start + first + i, "voltage": [230, 230, 230], "current": [2, 2, 2],
                                "power_factor": [0.9, 0.9, 0.9]} for i in range(count)]).encode()
        per_message, messages = 50, 40
        for m in range(messages):
            client.publish(topic, readings(m * per_message, per_message), qos=1).wait_for_publish(10)
        wait_for(lambda: requests.get(f"{node.api}/ol/{name}", timeout=30).json()["readings_accepted"] == messages * per_message,
                 "the first half to arrive", 60)
        client.loop_stop()
        client.disconnect()

        broker.stop()  # SIGTERM: mosquitto saves its sessions and queues
        broker = brokers.Broker(command, port, tmp_path)
        client = publisher()  # at once: the service is still in its reconnect backoff
        for m in range(messages, 2 * messages):
            client.publish(topic, readings(m * per_message, per_message), qos=1).wait_for_publish(10)
        client.loop_stop()
        client.disconnect()
        total = 2 * messages * per_message
        try:
            status = wait_for(lambda: (lambda s: s if s["readings_accepted"] >= total else None)(
                requests.get(f"{node.api}/ol/{name}", timeout=30).json()), "the second half after the restart", 90)
        except BaseException:
            print("STATUS", requests.get(f"{node.api}/ol/{name}", timeout=30).json().get("readings_accepted"))
            print("NODELOG", node.log_tail(60))
            print("BROKERLOG", broker.log_text()[-3000:])
            raise
        time.sleep(2)  # a redelivered duplicate would arrive now; it must not be counted
        status = requests.get(f"{node.api}/ol/{name}", timeout=30).json()
        assert status["readings_accepted"] == total, status
    finally:
        broker.stop()
