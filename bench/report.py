"""The printed table of a bench run (`bench.__main__`), with the issue's targets marked."""

from __future__ import annotations

from typing import Any


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def table(r: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    if "plain" in r:
        add("")
        add(
            "| backend | plain 1/save | Pakta submit | ratio | plain 100/save | Pakta 100 | ratio |"
        )
        add("|---|---|---|---|---|---|---|")
        for backend, f in r["plain"].items():
            add(
                f"| {backend} | {f['plain_1']:,.0f}/s | {f['pakta_1']:,.0f}/s | {f['ratio_1']:.2f} "
                f"| {f['plain_100']:,.0f}/s | {f['pakta_100']:,.0f}/s | {f['ratio_100']:.2f} |"
            )
        pg = r["plain"].get("postgres")
        if pg:
            add(
                f"target PG 100/save >= 0.5: {_mark(pg['ratio_100'] >= 0.5)}; "
                f"PG 1/save >= 0.5: {_mark(pg['ratio_1'] >= 0.5)}"
            )
        lite = r["plain"].get("sqlite")
        if lite:
            add(f"target SQLite 100/save >= 0.4: {_mark(lite['ratio_100'] >= 0.4)}")
    if "http" in r:
        h = r["http"]
        add("")
        add("| HTTP clients | 1 | 4 | 16 | in-process group | 16 / in-process |")
        add("|---|---|---|---|---|---|")
        add(
            f"| statements/s | {h['http_1']:,.0f} | {h['http_4']:,.0f} | {h['http_16']:,.0f} "
            f"| {h['in_process_group']:,.0f} | {h['ratio_http_16_to_in_process']:.2f} |"
        )
        add(
            f"errors: {h['errors']}; target 16 clients >= 1,000/s: {_mark(h['http_16'] >= 1000)}; "
            f">= 0.8 of in-process: {_mark(h['ratio_http_16_to_in_process'] >= 0.8)}"
        )
        if "http_16_server_cpu_us" in h:
            add(
                f"CPU per statement, 16 clients: server {h['http_16_server_cpu_us']:,.0f} us + "
                f"clients {h['http_16_clients_cpu_us']:,.0f} + PostgreSQL "
                f"{h['http_16_database_cpu_us']:,.0f} (the cores allow "
                f"{h['http_16_cpu_bound_per_s']:,.0f}/s); in process "
                f"{h['in_process_server_cpu_us']:,.0f} + PostgreSQL "
                f"{h['in_process_database_cpu_us']:,.0f} ({h['in_process_cpu_bound_per_s']:,.0f}/s)"
            )
    if "audit" in r:
        a = r["audit"]
        add("")
        add(
            f"audit: {a['audit_entries_per_s']:,.0f} entries/s on {a['cores']} cores; raw "
            f"{a['verifier']} verify {a['raw_verify_per_s_one_core']:,.0f}/s per core; ratio "
            f"{a['ratio_to_raw_x_cores']:.2f} (target >= 0.5: "
            f"{_mark(a['ratio_to_raw_x_cores'] >= 0.5)})"
        )
        if "projected_idle_ratio" in a:
            add(
                f"audit CPU per entry: {a['audit_main_cpu_us_per_entry']:,.0f} us ordered replay "
                f"+ {a['audit_workers_cpu_us_per_entry']:,.0f} us workers, against "
                f"{1e6 / a['raw_verify_per_cpu_s']:,.0f} us a verify: an idle machine would do "
                f"{a['projected_idle_entries_per_s']:,.0f} entries/s, ratio "
                f"{a['projected_idle_ratio']:.2f}"
            )
    if "scale" in r:
        s = r["scale"]
        small, large = (str(n) for n in (s["sizes"][0], s["sizes"][-1]))
        add("")
        add(f"| per append | {small} entries | {large} entries | ratio |")
        add("|---|---|---|---|")
        a, b = s["append"][small], s["append"][large]
        add(
            f"| ms (median) | {a['append_ms_median']} | {b['append_ms_median']} "
            f"| {s['append_ratio_large_to_small']:.2f} |"
        )
        add(f"| SQL statements | {a['sql_per_append']} | {b['sql_per_append']} | |")
        add("")
        service = s.get("service_ms", {})
        add("")
        add(f"| page, one request at a time | {small} entries | {large} entries |")
        add("|---|---|---|")
        for page, by_size in service.items():
            add(f"| {page} | {by_size[small]} ms | {by_size[large]} ms |")
        add("")
        add(
            f"| page | rate | p50 {small} | p99 {small} | p50 {large} | p99 {large} | p99 ratio "
            "| CPU stolen meanwhile |"
        )
        add("|---|---|---|---|---|---|---|---|")
        worst_ratio, worst_p99 = 0.0, 0.0
        for rate, by_page in s["reads"].items():
            for page, by_size in by_page.items():
                x, y = by_size[small], by_size[large]
                q = y["p99_ms"] / x["p99_ms"] if x["p99_ms"] else 0.0
                if rate == "200/s":
                    worst_ratio = max(worst_ratio, q)
                    worst_p99 = max(worst_p99, x["p99_ms"], y["p99_ms"])
                fails = x["failures"] + y["failures"]
                add(
                    f"| {page} | {rate} | {x['p50_ms']} | {x['p99_ms']} | {y['p50_ms']} "
                    f"| {y['p99_ms']} | {q:.2f}{f' ({fails} failed)' if fails else ''} "
                    f"| {x.get('steal_ms', 0)} ms |"
                )
        add(
            f"target append {large}/{small} <= 1.2: "
            f"{_mark(s['append_ratio_large_to_small'] <= 1.2)}; "
            f"page p99 ratio <= 1.2 at 200/s: {_mark(worst_ratio <= 1.2)}; "
            f"p99 < 50 ms at 200/s: {_mark(worst_p99 < 50)}"
        )
    for note in r.get("skipped", []):
        add(f"skipped {note}")
    return "\n".join(lines)
