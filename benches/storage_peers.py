"""DuckDB reading the table written by `cargo bench --bench storage`: through httpfs
from the same S3 server on 127.0.0.1, and from the local directory. Called by the
bench with the server's endpoint and credentials while it is running.

Needs: pip install duckdb duckdb-extension-httpfs (the extension wheel lets DuckDB
load httpfs without downloading it).
"""

import argparse
import os
import time

import duckdb
import duckdb_extension_httpfs

QUERY = "SELECT sum(close) + sum(ret) + sum(ema) + sum(vol) FROM read_parquet('{path}', hive_partitioning = true)"


def best_of(n, f):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    p = argparse.ArgumentParser()
    for arg in ("--endpoint", "--bucket", "--prefix", "--local", "--key", "--secret"):
        p.add_argument(arg, required=True)
    a = p.parse_args()

    con = duckdb.connect()
    con.execute("SET threads = 2")
    ext = os.path.dirname(duckdb_extension_httpfs.__file__)
    version = duckdb.__version__
    con.execute(f"LOAD '{ext}/extensions/v{version}/httpfs.duckdb_extension'")
    host = a.endpoint.removeprefix("http://")
    con.execute(f"SET s3_endpoint = '{host}'")
    con.execute("SET s3_use_ssl = false")
    con.execute("SET s3_url_style = 'path'")
    con.execute("SET s3_region = 'us-east-1'")
    con.execute(f"SET s3_access_key_id = '{a.key}'")
    con.execute(f"SET s3_secret_access_key = '{a.secret}'")

    s3 = QUERY.format(path=f"s3://{a.bucket}/{a.prefix}/*/*.parquet")
    local = QUERY.format(path=f"{a.local}/*/*.parquet")
    # DuckDB keeps the bytes it read in memory (external file cache) and would
    # answer repeated reads from it; quantfusion rereads the objects every time.
    for cache in ("false", "true"):
        con.execute(f"SET enable_external_file_cache = {cache}")
        for name, sql in (("s3", s3), ("local", local)):
            t = best_of(5, lambda: con.execute(sql).fetchall())
            label = "" if cache == "false" else ", file cache on"
            print(f"duckdb read/{name}{label}: {t * 1000:.0f} ms")


if __name__ == "__main__":
    main()
