#!/usr/bin/env bash
# End-to-end crawl benchmark: one synthetic news site on nginx (127.0.0.1), crawled whole by our worker
# (--crawl-now into a fresh SQLite store), GNU wget2 (fetch only) and Scrapy, in one run.
#   usage: bench/crawl.sh [PAGES]   (default 3211)
#          BENCH_PEERS=none bench/crawl.sh 100000   (ours only: the memory-flatness runs, where Scrapy would take hours)
# Prints pages, wall seconds, pages/s, peak RSS and our pages/s as a ratio to each peer.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${1:-3211}
PORT=${BENCH_PORT:-18080}
WORK=$(mktemp -d /tmp/crawler-bench.XXXXXX)
chmod 755 "$WORK"   # nginx workers run unprivileged
trap 'nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT

need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v wget2 >/dev/null || need+=(wget2)
[ -x /usr/bin/scrapy ] || need+=(python3-scrapy)
[ -x /usr/bin/time ] || need+=(time)
# the native build links with the system's C toolchain
command -v clang >/dev/null || command -v gcc >/dev/null || need+=(clang)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

python3 bench/sitegen.py "$PAGES" "$WORK/site"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  types { text/html html; text/plain txt; }
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp; uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server { listen 127.0.0.1:$PORT; root $WORK/site; }
}
NGINX
mkdir -p "$WORK/tmp"
nginx -c "$WORK/nginx.conf"
BASE="http://127.0.0.1:$PORT"

# published as an operator installs it (README, "Running as a systemd service"), compiled ahead of time to native code,
# but for this CPU (README, "CPU features"), as a host that builds what it runs would: about 3% faster than the default
dotnet publish src/Crawler.Worker -c Release --use-current-runtime -p:PublishAot=true -p:IlcInstructionSet=native -o "$WORK/crawler" -v quiet -nologo >/dev/null
cat > "$WORK/crawler.json" <<JSON
{
  "Serilog": { "MinimumLevel": { "Default": "Warning" } },
  "Storage": { "Sqlite": { "Path": "$WORK/crawler.db" } },
  "Crawler": {
    "Fetch": { "AllowPrivateNetworks": true, "PerHostDelay": "00:00:00", "PerHostConcurrency": 32, "MaxConcurrency": 32 },
    "Sources": [ { "Name": "bench", "Seeds": [ "$BASE/list/1.html" ], "Include": "/(news|mirror)/[0-9]+\\\\.html$",
                   "Follow": "/list/[0-9]+\\\\.html$", "MaxPages": $((PAGES + 100)), "MaxDepth": 1, "Schedule": "0 0 * * * ?" } ]
  }
}
JSON

cat > "$WORK/spider.py" <<'PY'
import scrapy
class Everything(scrapy.Spider):
    name = "everything"
    def __init__(self, start=None, **kw):
        super().__init__(**kw)
        self.start_urls = [start]
    def parse(self, response):
        yield {"url": response.url, "title": response.css("title::text").get(),
               "body": " ".join(response.css("article p::text").getall())}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse)
PY

measure() { # name, command...: runs it under /usr/bin/time -v, prints "wall rss_kb"
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
  echo "$wall $rss"
}

read -r ours_wall ours_rss < <(measure ours "$WORK/crawler/crawler" --crawl-now --config "$WORK/crawler.json")
ours_pages=$(python3 - "$WORK/crawler.db" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM frontier WHERE state = 'Done'").fetchone()[0])
PY
)
if [ "${BENCH_PEERS:-all}" = none ]; then
  echo
  grep -E "^(source|bench|  bench)" "$WORK/ours.out" || true
  echo "site: $PAGES pages; ours: $ours_pages pages in $ours_wall s, $(python3 -c "print(round($ours_pages / $ours_wall))") pages/s, peak RSS $((ours_rss / 1024)) MB"
  exit 0
fi
read -r wget_wall wget_rss < <(measure wget2 wget2 --max-threads=8 -r -l inf -q -P "$WORK/wget2" "$BASE/list/1.html")
wget_pages=$(find "$WORK/wget2" -name '*.html' | wc -l)
read -r scrapy_wall scrapy_rss < <(measure scrapy /usr/bin/scrapy runspider "$WORK/spider.py" -a start="$BASE/list/1.html" \
  -o "$WORK/scrapy.jl" -s CONCURRENT_REQUESTS=32 -s CONCURRENT_REQUESTS_PER_DOMAIN=32 -s LOG_LEVEL=WARNING -s ROBOTSTXT_OBEY=False)
scrapy_pages=$(wc -l < "$WORK/scrapy.jl")

echo
grep -E "^(source|bench|  bench)" "$WORK/ours.out" || true
python3 - "$PAGES" "$ours_pages" "$ours_wall" "$ours_rss" "$wget_pages" "$wget_wall" "$wget_rss" "$scrapy_pages" "$scrapy_wall" "$scrapy_rss" <<'PY'
import sys
site = int(sys.argv[1])
rows = [("crawler (ours) MaxConcurrency=32", *sys.argv[2:5]), ("wget2 --max-threads=8", *sys.argv[5:8]), ("scrapy CONCURRENT_REQUESTS=32", *sys.argv[8:11])]
rate = {}
print(f"\nsite: {site} pages\n")
print(f"| crawler | pages | wall s | pages/s | peak RSS MB | ours / this |")
print(f"|---|---:|---:|---:|---:|---:|")
for name, pages, wall, rss in rows:
    pages, wall, rss = int(pages), float(wall), int(rss) / 1024
    rate[name] = pages / wall if wall > 0 else 0
for name, pages, wall, rss in rows:
    ours = rate[rows[0][0]]
    ratio = ours / rate[name] if rate[name] else 0
    print(f"| {name} | {pages} | {float(wall):.2f} | {rate[name]:.0f} | {int(rss) / 1024:.0f} | {ratio:.2f}x |")
missing = [name for name, pages, *_ in rows if int(pages) < site]
if missing:
    print(f"\nNOT every page fetched by: {', '.join(missing)}")
PY
