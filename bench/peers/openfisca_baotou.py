"""Baotou Rare Earth High-tech Zone 2024 rules as a minimal OpenFisca tax-benefit system.

Peer benchmark for subsidy-calc (bench/peers/run.sh). One entity (Person); answers are input
variables for the month of the as-of date; each program's eligibility and the cash total are
vectorised numpy formulas.

Usage: python openfisca_baotou.py ANSWERS.json OUT.json
  OUT.json: {"results": [{"eligible": [...], "total": "123.00"}, ...],   # one per answer set
             "web_api": {...} | {"error": ...}, "batch": {...}}
"""

import json
import statistics
import sys
import time
from datetime import date

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

MONTH = DateUnit.MONTH
PERIOD = "2024-07"  # the month of the as-of date 2024-07-15
NEW_STATION_FROM = np.datetime64("2024-01-01")

Person = build_entity(
    key="person",
    plural="persons",
    label="An applicant: enterprise, postdoc or PhD",
    is_person=True,
)


class ApplicantType(Enum):
    enterprise = "An enterprise (host unit)"
    postdoc = "A postdoc in station"
    doctor = "A PhD introduced by an enterprise"


class WorkstationStatus(Enum):
    none = "None yet"
    planning = "Planning to set one up"
    approved = "Approved"


# ---------------------------------------------------------------- questions (inputs)
class applicant_type(Variable):
    value_type = Enum
    possible_values = ApplicantType
    default_value = ApplicantType.doctor
    entity = Person
    definition_period = MONTH
    label = "You are"


class in_zone(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Registered in (or working at an enterprise in) the zone"


class workstation_status(Variable):
    value_type = Enum
    possible_values = WorkstationStatus
    default_value = WorkstationStatus.none
    entity = Person
    definition_period = MONTH
    label = "Postdoctoral workstation status (enterprises only)"


class workstation_approved_on(Variable):
    value_type = date
    default_value = date(1970, 1, 1)
    entity = Person
    definition_period = MONTH
    label = "Date the workstation was approved"


class months_in_station(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Months in station (0-72, postdocs only)"


class school_age_children(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "School-age children moving with you (0-10)"


# ---------------------------------------------------------------- programs (formulas)
def _is(person, period, *types):
    t = person("applicant_type", period)
    return np.logical_or.reduce([t == x for x in types]) if len(types) > 1 else t == types[0]


class station_setup_fund_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "One-time setup fund for a new postdoctoral workstation"

    def formula(person, period):
        return (
            _is(person, period, ApplicantType.enterprise)
            * person("in_zone", period)
            * (person("workstation_status", period) == WorkstationStatus.approved)
            * (person("workstation_approved_on", period) >= NEW_STATION_FROM)
        )


class station_setup_fund(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Setup fund, CNY"

    def formula(person, period, parameters):
        fund = parameters(period).baotou.station_setup_fund
        return person("station_setup_fund_eligible", period) * fund


class station_services_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Workstation setup services (service)"

    def formula(person, period):
        status = person("workstation_status", period)
        return (
            _is(person, period, ApplicantType.enterprise)
            * person("in_zone", period)
            * ((status == WorkstationStatus.none) + (status == WorkstationStatus.planning))
        )


class living_allowance_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Living allowance for postdocs in station"

    def formula(person, period):
        return (
            _is(person, period, ApplicantType.postdoc)
            * person("in_zone", period)
            * (person("months_in_station", period) >= 1)
        )


class living_allowance(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Living allowance, CNY: 12,500 a month, at most 24 months"

    def formula(person, period, parameters):
        p = parameters(period).baotou.living_allowance
        months = np.minimum(person("months_in_station", period), p.max_months)
        return person("living_allowance_eligible", period) * p.monthly * months


class housing_support_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Housing subsidy (amount not published)"

    def formula(person, period):
        return _is(person, period, ApplicantType.postdoc, ApplicantType.doctor) * person("in_zone", period)


class schooling_support_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Children's school enrolment support (in kind)"

    def formula(person, period):
        return (
            _is(person, period, ApplicantType.postdoc, ApplicantType.doctor)
            * person("in_zone", period)
            * (person("school_age_children", period) >= 1)
        )


class total_cash(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Cash total, CNY"

    def formula(person, period):
        return person("station_setup_fund", period) + person("living_allowance", period)


def _param(value, description):
    return {"description": description, "values": {"2024-01-01": {"value": value}}}


PARAMETERS = {
    "baotou": {
        "station_setup_fund": _param(100000, "One-time setup fund for a new workstation, CNY"),
        "living_allowance": {
            "monthly": _param(12500, "Living allowance per full month in station, CNY (300,000 / 24)"),
            "max_months": _param(24, "Months counted at most"),
        },
    }
}

PROGRAMS = [
    "station_setup_fund",
    "station_services",
    "living_allowance",
    "housing_support",
    "schooling_support",
]
INPUTS = [
    "applicant_type",
    "in_zone",
    "workstation_status",
    "workstation_approved_on",
    "months_in_station",
    "school_age_children",
]


class BaotouTaxBenefitSystem(TaxBenefitSystem):
    def __init__(self):
        super().__init__([Person])
        self.parameters = ParameterNode("", data=PARAMETERS)
        for v in [
            applicant_type, in_zone, workstation_status, workstation_approved_on,
            months_in_station, school_age_children,
            station_setup_fund_eligible, station_setup_fund, station_services_eligible,
            living_allowance_eligible, living_allowance, housing_support_eligible,
            schooling_support_eligible, total_cash,
        ]:
            self.add_variable(v)


# ---------------------------------------------------------------- helpers
def columns(answer_sets):
    """The answer sets as numpy input arrays (unanswered questions take the defaults)."""
    col = lambda k, d: [a.get(k, d) for a in answer_sets]
    return {
        "applicant_type": np.array(col("applicant_type", "doctor")),
        "in_zone": np.array(col("in_zone", False), dtype=bool),
        "workstation_status": np.array(col("workstation_status", "none")),
        "workstation_approved_on": np.array(col("workstation_approved_on", "1970-01-01"), dtype="datetime64[D]"),
        "months_in_station": np.array(col("months_in_station", 0), dtype=np.int32),
        "school_age_children": np.array(col("school_age_children", 0), dtype=np.int32),
    }


def vectorised(tbs, cols):
    """One simulation over all rows; returns eligibility flags, totals and seconds taken."""
    n = len(cols["in_zone"])
    t0 = time.perf_counter()
    sim = SimulationBuilder().build_default_simulation(tbs, count=n)
    for k in INPUTS:
        sim.set_input(k, PERIOD, cols[k])
    flags = {p: sim.calculate(p + "_eligible", PERIOD) for p in PROGRAMS}
    total = sim.calculate("total_cash", PERIOD)
    return flags, total, time.perf_counter() - t0


def rows(flags, total):
    n = len(total)
    return [
        {"eligible": [p for p in PROGRAMS if flags[p][i]], "total": "%.2f" % float(total[i])}
        for i in range(n)
    ]


def web_api_payload(a):
    person = {k: {PERIOD: a[k]} for k in INPUTS if k in a}
    for p in PROGRAMS:
        person[p + "_eligible"] = {PERIOD: None}
    person["total_cash"] = {PERIOD: None}
    return {"persons": {"applicant": person}}


def web_api(tbs, answer_sets, calls):
    try:
        from openfisca_web_api.app import create_app
    except Exception as e:  # the [web-api] extra did not install
        return {"error": f"{type(e).__name__}: {e}"}
    client = create_app(tbs).test_client()
    times, out = [], []
    for i in range(calls):
        a = answer_sets[i % len(answer_sets)]
        payload = web_api_payload(a)
        t0 = time.perf_counter()
        r = client.post("/calculate", json=payload)
        times.append(time.perf_counter() - t0)
        if r.status_code != 200:
            return {"error": f"HTTP {r.status_code}: {r.get_data(as_text=True)[:500]}"}
        p = r.get_json()["persons"]["applicant"]
        out.append({
            "eligible": [x for x in PROGRAMS if p[x + "_eligible"][PERIOD]],
            "total": "%.2f" % float(p["total_cash"][PERIOD]),
        })
    times = times[5:]  # the first calls warm up
    return {"median_s": statistics.median(times), "calls": len(times), "results": out}


def main():
    answers_path, out_path = sys.argv[1], sys.argv[2]
    with open(answers_path) as f:
        answer_sets = json.load(f)
    tbs = BaotouTaxBenefitSystem()

    # Agreement: all answer sets through one vectorised simulation.
    flags, total, _ = vectorised(tbs, columns(answer_sets))
    results = rows(flags, total)

    # (a) one case per request through the Web API's /calculate (Flask test client).
    api = web_api(tbs, answer_sets, calls=len(answer_sets))

    # (b) a vectorised batch of 100,000 persons (answer sets repeated), median of 5; timed from
    # input arrays to results (simulation build, set_input, all formulas).
    n = 100_000
    big = columns((answer_sets * (n // len(answer_sets) + 1))[:n])  # not timed
    secs = []
    for _ in range(5):
        f_, t_, s = vectorised(tbs, big)
        secs.append(s)
    big_rows = rows(f_, t_)
    batch_ok = all(big_rows[i] == results[i % len(results)] for i in range(n))
    batch = {"persons": n, "median_s": statistics.median(secs), "consistent_with_2000": batch_ok}

    from importlib.metadata import version
    with open(out_path, "w") as f:
        json.dump({"version": version("openfisca-core"), "numpy": np.__version__,
                   "results": results, "web_api": api, "batch": batch}, f)


if __name__ == "__main__":
    main()
