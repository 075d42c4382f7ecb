#!/usr/bin/env python3
"""Independent recomputation of the numbers the validation tests compare against.

Plain Python lists, no hemsim and no third-party packages: each model is written out
from its published description (shared/research/validation_cases.md) or, for the
general-features scenario, from the scenario file's description. Run:

    python3 tests/validation/oracle.py

It prints the full-precision cohort results of Krijkamp et al. 2018 (Appendix C),
Alarid-Escudero et al. 2023 (four strategies, trace, within-cycle corrections),
Chancellor et al. 1997 (Briggs et al. 2006), the exact Monte Carlo standard errors of
the Krijkamp microsimulation at n = 100,000, and the general-features scenario.
"""
import csv
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
LIFE_TABLE = os.path.join(HERE, "..", "..", "scenarios", "data", "us_life_table_2019.csv")


def step(m, P):
    n = len(m)
    return [sum(m[i] * P[i][j] for i in range(n)) for j in range(n)]


def weights(T, kind):
    """Within-cycle correction weights on points 0..T."""
    w = []
    for t in range(T + 1):
        end = t in (0, T)
        if kind == "none":
            w.append(1.0)
        elif kind == "half_cycle":
            w.append(0.5 if end else 1.0)
        elif kind == "simpson":        # textbook: 4/3 at odd t
            w.append(1 / 3 if end else (4 / 3 if t % 2 == 1 else 2 / 3))
        elif kind == "simpson_darth":  # DARTH gen_wcc("Simpson1/3") as coded: 2/3 at odd t
            w.append(1 / 3 if end else (2 / 3 if t % 2 == 1 else 4 / 3))
    return w


def cohort(P_at, T, m0, rewards_at, rates, correction, points):
    """Totals of each reward over `points`; rewards_at(t) -> one per-state vector per reward."""
    w = weights(T, correction)
    trace = [m0[:]]
    for t in range(T):
        trace.append(step(trace[-1], P_at(t)))
    totals = None
    for t in points:
        rs = rewards_at(t)
        totals = totals or [0.0] * len(rs)
        for k, (r, d) in enumerate(zip(rs, rates)):
            totals[k] += sum(a * b for a, b in zip(trace[t], r)) * w[t] / (1 + d) ** t
    return totals, trace


def krijkamp_2018():
    print("== Krijkamp et al. 2018, simple Sick-Sicker (cohort = Appendix C) ==")
    p_HD, p_HS1, p_S1H, p_S1S2 = 0.005, 0.15, 0.5, 0.105
    r_HD = -math.log(1 - p_HD)
    p_S1D, p_S2D = 1 - math.exp(-3 * r_HD), 1 - math.exp(-10 * r_HD)
    P = [[1 - p_HS1 - p_HD, p_HS1, 0, p_HD],
         [p_S1H, 1 - p_S1H - p_S1S2 - p_S1D, p_S1S2, p_S1D],
         [0, 0, 1 - p_S2D, p_S2D],
         [0, 0, 0, 1]]
    out = {}
    for name, c_trt, u_S1 in (("no_treatment", 0, 0.75), ("treatment", 12000, 0.95)):
        (c, q), trace = cohort(lambda t: P, 30, [1, 0, 0, 0],
                               lambda t: ([2000, 4000 + c_trt, 15000 + c_trt, 0], [1, u_S1, 0.5, 0]),
                               [0.03, 0.03], "none", range(31))
        out[name] = (c, q)
        print(f"{name:13s} cost {c:.6f}  QALYs {q:.8f}  trace t=1 {trace[1]}")
    dc = out["treatment"][0] - out["no_treatment"][0]
    de = out["treatment"][1] - out["no_treatment"][1]
    print(f"increment    cost {dc:.6f}  QALYs {de:.8f}  ICER {dc / de:.6f}")

    # Exact sd of the per-individual discounted totals (backward recursion on the first
    # and second moments), hence the true MCSE sd / sqrt(n) of the microsimulation.
    def sd(r):
        first, second = [0.0] * 4, [0.0] * 4
        for t in range(30, -1, -1):
            d = 1.03 ** -t
            nf = [sum(P[s][j] * first[j] for j in range(4)) for s in range(4)]
            ns = [sum(P[s][j] * second[j] for j in range(4)) for s in range(4)]
            first, second = ([r[s] * d + nf[s] for s in range(4)],
                             [(r[s] * d) ** 2 + 2 * r[s] * d * nf[s] + ns[s] for s in range(4)])
        return math.sqrt(second[0] - first[0] ** 2)
    n = 100000
    for what, r, published in (("cost, no treatment", [2000, 4000, 15000, 0], "183"),
                               ("cost, treatment", [2000, 16000, 27000, 0], "343"),
                               ("QALYs, no treatment", [1, .75, .5, 0], "0.016"),
                               ("QALYs, treatment", [1, .95, .5, 0], "0.016"),
                               ("incremental cost (same paths)", [0, 12000, 12000, 0], "164"),
                               ("incremental QALYs (same paths)", [0, .2, 0, 0], "0.001")):
        print(f"MCSE at n = {n}: {what:31s} {sd(r) / math.sqrt(n):.6g}  (published {published})")


def alarid_escudero_2023():
    print("== Alarid-Escudero et al. 2023, introductory cohort model ==")
    p = lambda r: 1 - math.exp(-r)
    r_S1S2, r_HD = 0.105, 0.002
    p_HS1, p_S1H, p_S1S2, p_HD = p(0.15), p(0.5), p(r_S1S2), p(r_HD)
    p_S1D, p_S2D, p_S1S2_trtB = p(3 * r_HD), p(10 * r_HD), p(0.6 * r_S1S2)

    def matrix(progress):  # non-death moves conditional on survival
        return [[(1 - p_HD) * (1 - p_HS1), (1 - p_HD) * p_HS1, 0, p_HD],
                [(1 - p_S1D) * p_S1H, (1 - p_S1D) * (1 - (p_S1H + progress)), (1 - p_S1D) * progress, p_S1D],
                [0, 0, 1 - p_S2D, p_S2D],
                [0, 0, 0, 1]]
    out = {}
    for name, progress, c_trt, u_S1 in (("soc", p_S1S2, 0, 0.75), ("A", p_S1S2, 12000, 0.95),
                                        ("B", p_S1S2_trtB, 13000, 0.75), ("AB", p_S1S2_trtB, 25000, 0.95)):
        P = matrix(progress)
        rewards = lambda t: ([2000, 4000 + c_trt, 15000 + c_trt, 0], [1, u_S1, 0.5, 0])
        (c, q), trace = cohort(lambda t: P, 75, [1, 0, 0, 0], rewards, [0.03, 0.03], "simpson_darth", range(76))
        out[name] = (c, q)
        print(f"{name:3s} cost {c:.6f}  QALYs {q:.8f}")
        if name == "soc":
            for t in range(6):
                print(f"    trace t={t}", [round(x, 3) for x in trace[t]])
            for kind, T in (("none", 75), ("half_cycle", 75), ("simpson", 75), ("simpson_darth", 75), ("simpson", 76)):
                (_, q2), _ = cohort(lambda t: P, T, [1, 0, 0, 0], rewards, [0.03, 0.03], kind, range(T + 1))
                print(f"    SoC QALYs, {kind}, {T} cycles: {q2:.6f}")
    for a, b in (("soc", "B"), ("B", "AB")):
        print(f"ICER {b} vs {a}: {(out[b][0] - out[a][0]) / (out[b][1] - out[a][1]):.6f}")


def chancellor_1997():
    print("== Chancellor et al. 1997 (Briggs et al. 2006, Exercise 2.5) ==")
    mono = [[1251 / 1734, 350 / 1734, 116 / 1734, 17 / 1734],
            [0, 731 / 1258, 512 / 1258, 15 / 1258],
            [0, 0, 1312 / 1749, 437 / 1749],
            [0, 0, 0, 1]]

    def matrix(rr):  # progression x rr, the diagonal takes the rest
        Q = [[mono[i][j] * rr if i != j else 0.0 for j in range(4)] for i in range(4)]
        for i in range(3):
            Q[i][i] = 1 - sum(Q[i])
        Q[3][3] = 1.0
        return Q
    out = {}
    for name, comb in (("mono", False), ("comb", True)):
        lam = lambda t: 2086.5 if comb and t <= 2 else 0.0
        (c, lamivudine, ly), _ = cohort(
            lambda t: matrix(0.509 if comb and t < 2 else 1.0), 20, [1, 0, 0, 0],
            lambda t: ([2756 + 2278 + lam(t), 3052 + 2278 + lam(t), 9007 + 2278 + lam(t), 0],
                       [lam(t)] * 3 + [0], [1, 1, 1, 0]),
            [0.06, 0.06, 0.0], "none", range(1, 21))
        out[name] = (c, ly)
        print(f"{name}: cost {c:.7f}  life-years {ly:.7f}  (lamivudine {lamivudine:.10f})")
    print(f"ICER {(out['comb'][0] - out['mono'][0]) / (out['comb'][1] - out['mono'][1]):.7f}")


def general_features():
    print("== scenarios/validation/general_features.yaml ==")
    qx = {}
    with open(LIFE_TABLE) as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            if row["qx_male"]:
                qx[int(row["age"])] = (float(row["qx_male"]), float(row["qx_female"]))
    T = 60

    def run(scale, well_cost, disease=True):
        on = 1.0 if disease else 0.0
        tot = dict(care=0.0, surgery=0.0, qalys=0.0, life_years=0.0, surgeries=0.0)
        for sex in (0, 1):
            well, post, sick = 1.0, 0.0, [0.0] * (T + 2)  # sick by completed cycles in state
            for t in range(T + 1):
                w = 0.5 if t in (0, T) else 1.0
                care = well * well_cost + post * 8000 + sum(m * 8000 * (1.5 if s < 2 else 1) for s, m in enumerate(sick))
                tot["care"] += 0.5 * w * 1.035 ** -t * care
                tot["qalys"] += 0.5 * w * 1.015 ** -t * (well * 0.85 + post * 0.5 + sum(sick) * 0.6)
                tot["life_years"] += 0.5 * w * (well + post + sum(sick))
                if t == T:
                    break
                q = qx[40 + t][sex]
                die_sick = 1 - (1 - q) ** (1.5 if disease else 1.0)
                surgery = on * (1 - math.exp(scale * (t ** 1.4 - (t + 1) ** 1.4)))
                to_post = well * (1 - q) * surgery
                new_well = well * (1 - q) * (1 - surgery)
                new_sick = [0.0] * (T + 2)
                new_sick[0] = post * (1 - q)
                for s, m in enumerate(sick):
                    recover = on * 0.3 * (1 if s >= 1 else 0.5)
                    new_well += m * (1 - die_sick) * recover
                    new_sick[min(s + 1, T + 1)] += m * (1 - die_sick) * (1 - recover)
                tot["surgery"] += 0.5 * to_post * 25000 * 1.035 ** -(t + 1)
                tot["qalys"] += 0.5 * to_post * -0.05 * 1.015 ** -(t + 1)
                tot["surgeries"] += 0.5 * to_post
                well, post, sick = new_well, to_post, new_sick
        return tot
    for name, scale, well_cost in (("usual", 0.01, 500), ("drug", 0.01 * 0.7, 500 + 1500)):
        print(name, "  ".join(f"{k} {v:.12f}" for k, v in run(scale, well_cost).items()))
    print(f"life expectancy without disease: {run(0.01, 500, disease=False)['life_years']:.12f}")


if __name__ == "__main__":
    krijkamp_2018()
    alarid_escudero_2023()
    chancellor_1997()
    general_features()
