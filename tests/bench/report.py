#!/usr/bin/env python3
"""report.py ROWS.tsv OUTDIR: turns the rows' raw samples into the table
(stdout), OUTDIR/results.json and OUTDIR/ratios.svg (gnuplot).

A row line is tab-separated:
  BENCH  ROW  SUBJECT  METRIC  UNIT  REF  VALUES  NOTE
VALUES are the raw samples in the order they were taken (comma-separated,
or 'n/a'); REF names the subject of the same ROW and METRIC that ratios are
taken against ('-': none). When both have the same number of samples, the
ratio is taken pair by pair (sample i over the reference's sample i, taken
in the same round) and its median and spread shown; otherwise the ratio of
the medians."""
import json
import os
import platform
import statistics
import subprocess
import sys
import time


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] != "BENCH" or len(fields) < 7:
                continue
            row, subject, metric, unit, ref, values = fields[1:7]
            note = fields[7] if len(fields) > 7 else ""
            samples = None if values in ("", "n/a") else [float(v) for v in values.split(",")]
            rows.append(dict(row=row, subject=subject, metric=metric, unit=unit,
                             ref=None if ref == "-" else ref, samples=samples, note=note))
    return rows


def stats(xs):
    return statistics.median(xs), min(xs), max(xs)


def compute(rows):
    by_key = {(r["row"], r["metric"], r["subject"]): r for r in rows}
    for r in rows:
        if r["samples"]:
            r["median"], r["min"], r["max"] = stats(r["samples"])
        ref = by_key.get((r["row"], r["metric"], r["ref"])) if r["ref"] else None
        if not (ref and ref["samples"] and r["samples"]):
            continue
        a, b = r["samples"], ref["samples"]
        if len(a) == len(b) and len(a) > 1 and all(b):
            r["ratio"], r["ratio_min"], r["ratio_max"] = stats([x / y for x, y in zip(a, b)])
            r["ratio_how"] = "pairwise"
        elif statistics.median(b):
            r["ratio"] = statistics.median(a) / statistics.median(b)
            r["ratio_how"] = "medians"


def num(x):
    if x is None:
        return ""
    if x == int(x) and abs(x) >= 1:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def table(rows):
    head = ["row", "subject", "metric", "median", "spread (min-max)", "ratio", "vs", "note"]
    out = []
    for r in rows:
        if r.get("median") is None:
            med, spread = "n/a", ""
        else:
            med = f"{num(r['median'])} {r['unit']}"
            spread = "" if len(r["samples"]) == 1 else f"{num(r['min'])}-{num(r['max'])}"
        ratio = ""
        if "ratio" in r:
            ratio = f"{r['ratio']:.2f}x"
            if "ratio_min" in r:
                ratio += f" ({r['ratio_min']:.2f}-{r['ratio_max']:.2f})"
        out.append([r["row"], r["subject"], r["metric"], med, spread, ratio,
                    r["ref"] or "", r["note"]])
    widths = [max(len(x[i]) for x in out + [head]) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for x in out:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(x, widths)) + " |")
    return "\n".join(lines)


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    return dict(date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                kernel=platform.release(), cpus=os.cpu_count(), cpu=cpu,
                os=platform.freedesktop_os_release().get("PRETTY_NAME", "")
                if hasattr(platform, "freedesktop_os_release") else "")


def chart(rows, outdir):
    data = os.path.join(outdir, "ratios.dat")
    pts = [r for r in rows if "ratio" in r and r["subject"] != r["ref"]]
    if not pts:
        return None
    with open(data, "w") as f:
        for r in pts:
            label = f"{r['row'].split()[0]} {r['subject']} {r['metric']} / {r['ref']}"
            lo, hi = r.get("ratio_min", r["ratio"]), r.get("ratio_max", r["ratio"])
            f.write(f"\"{label}\" {r['ratio']:.4f} {lo:.4f} {hi:.4f}\n")
    svg = os.path.join(outdir, "ratios.svg")
    script = f"""
set terminal svg size {max(800, 26 * len(pts) + 200)},640 dynamic font 'sans,10'
set output '{svg}'
set title 'nsinit benchmarks: ratios (median of pairs, bars: min-max); 1 = the reference'
set logscale y 10
set ylabel 'ratio to the reference (log)'
set grid ytics
set xtics rotate by -60 left noenhanced
set bmargin 16
set key off
set style fill solid 0.5
set boxwidth 0.7
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb 'black'
plot '{data}' using 0:2:xtic(1) with boxes lc rgb '#4477aa', \\
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report: gnuplot: {e}", file=sys.stderr)
        return None
    return svg


def main():
    rows_path, outdir = sys.argv[1], sys.argv[2]
    rows = parse(rows_path)
    compute(rows)
    info = machine()
    print(f"nsinit benchmarks, {info['date']}, kernel {info['kernel']}, "
          f"{info['cpus']} CPUs ({info['cpu']})")
    print(table(rows))
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(dict(machine=info, rows=rows), f, indent=1)
    svg = chart(rows, outdir)
    print(f"\nwritten: {os.path.join(outdir, 'results.json')}" + (f", {svg}" if svg else ""))


if __name__ == "__main__":
    main()
