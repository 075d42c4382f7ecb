"""Errors as Python exceptions, progress callbacks, cancellation and Ctrl-C."""
import _thread
import threading
import time

import pytest

import hemsim

SICK_SICKER = "scenarios/validation/sick_sicker_microsim.yaml"
BMSC = "scenarios/bmsc_cipn.yaml"


def test_bad_yaml_is_a_scenario_error_with_file_and_line():
    with pytest.raises(hemsim.ScenarioError) as error:
        hemsim.Scenario.from_yaml("schema_version: 1\nname: broken\nsettings:\n  cycle_length: 1 year\n    horizon: x: y\n", "bad.yaml")
    assert isinstance(error.value, ValueError)
    # Line 5 holds the stray colon.
    assert "bad.yaml:5:" in str(error.value) and "not valid YAML" in str(error.value)


def test_a_scenario_mistake_names_its_line():
    text = open(SICK_SICKER).read().replace("c_S1:   {value: 4000,", "c_S1:   {value: 4000, colour: red,")
    with pytest.raises(hemsim.ScenarioError, match=r"mistake\.yaml:39:"):
        hemsim.Scenario.from_yaml(text, "mistake.yaml")


def test_a_missing_file_is_a_scenario_error():
    with pytest.raises(hemsim.ScenarioError, match="no/such/file.yaml"):
        hemsim.run("no/such/file.yaml")


def test_setting_an_unknown_parameter_names_it():
    with pytest.raises(hemsim.ScenarioError, match="no_such_parameter"):
        hemsim.run(SICK_SICKER, method="cohort", set={"no_such_parameter": 1})


def test_bad_arguments_are_value_or_type_errors():
    with pytest.raises(ValueError, match="method"):
        hemsim.run(SICK_SICKER, method="markov")
    with pytest.raises(TypeError):
        hemsim.run(SICK_SICKER, method="cohort", set={"c_Trt": [1, 2]})


def test_progress_is_reported_in_order_up_to_one():
    seen = []
    hemsim.run(SICK_SICKER, individuals=5000, threads=2, progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen) and all(0 < f <= 1 for f in seen)


def test_progress_of_a_dsa_covers_all_its_runs():
    seen = []
    hemsim.dsa("scenarios/validation/sick_sicker_intro_cohort.yaml", method="cohort", progress=seen.append)
    # 16 parameters with a range: 1 + 2 x 16 runs, each reported once (cohort), then 1.
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 33


def test_a_cancel_callback_stops_the_run():
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) >= 3

    with pytest.raises(hemsim.Cancelled):  # one thread: polls come one at a time
        hemsim.run(SICK_SICKER, individuals=200000, threads=1, cancel=cancel)
    assert len(polls) == 3


def test_an_error_in_a_callback_comes_out_as_itself():
    def progress(fraction):
        raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        hemsim.run(SICK_SICKER, individuals=20000, progress=progress)


def test_ctrl_c_during_a_run_raises_keyboard_interrupt():
    # A long run (about a minute on one thread) interrupted as Ctrl-C would: the main
    # thread is inside the library with the GIL released; the signal is seen by the
    # library's cancellation poll.
    scenario = hemsim.load(BMSC)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            hemsim.run(scenario, individuals=2_000_000, threads=1)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 20


def test_other_python_threads_run_while_hemsim_simulates():
    # With the GIL held for the whole run, the ticking thread would stand still.
    scenario = hemsim.load(SICK_SICKER)
    ticks, stop = [], threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        start = time.monotonic()
        hemsim.run(scenario, individuals=500_000, threads=1)
        end = time.monotonic()
    finally:
        stop.set()
        ticker.join()
    during = sum(start < t < end for t in ticks)
    assert end - start > 0.1 and during >= 10, (end - start, during)
