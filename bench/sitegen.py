#!/usr/bin/env python3
"""Writes a deterministic synthetic news site for the crawl benchmark.

usage: sitegen.py PAGES OUTDIR

PAGES counts every page: paginated list pages (/list/N.html, 50 links each, linked to the next one) and
articles of 20-40 KB (/news/N.html) with the boilerplate real news pages carry (inline scripts, navigation,
a most-read sidebar, share bar, footer); about 5% of the articles are exact duplicates served at a second URL
(/mirror/N.html) and about 5% are Chinese pages encoded in GBK. Same PAGES, same bytes.
"""
import os, random, sys

WORDS = ("harbour authority cargo volume quarter record container traffic bulk grain shipments berth deep water "
         "workers union staffing season analysts growth percent report council budget transport ministry rail "
         "airport passengers weather storm coast flood warning schools teachers exam results hospital patients "
         "waiting list doctors energy prices households winter heating market shares investors bank rates").split()
HANZI = ("港务局表示第季度港口货物吞吐量创历史新高集装箱运输和粮食散货运输的恢复是主要推动力官员们说春季启用的新深水泊位贡献了大部分增长"
         "船舶卸货前的平均等待时间缩短工人代表对这些数字表示欢迎但警告人员配置没有跟上吞吐量的增长并要求在冬季来临之前就轮班安排进行谈判")
SCRIPT = "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}" + ";gtag('config','X-%d')" * 120 + "</script>"
PER_LIST = 50

# Prose draws words with Zipf's law from a vocabulary of a few thousand (the news words above first, then made-up
# ones), as real text does. Uniform draws from a few dozen words made every article a near duplicate of every other
# (the same bag of words), which no news site looks like.
_vocab_rng = random.Random(7)
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
VOCABULARY = WORDS + ["".join(_vocab_rng.choice(_SYLLABLES) for _ in range(_vocab_rng.randint(1, 4))) for _ in range(4000)]
ZIPF = list(__import__("itertools").accumulate(1.0 / (rank + 1) for rank in range(len(VOCABULARY))))


def sentence(rng, chinese):
    if chinese:
        return "".join(rng.choice(HANZI) for _ in range(rng.randint(30, 70))) + "。"
    words = rng.choices(VOCABULARY, cum_weights=ZIPF, k=rng.randint(12, 28))
    return " ".join(words).capitalize() + "."


def article(n, rng, chinese, target, articles):
    title = (f"港口货物吞吐量报道 第{n}号" if chinese else f"Harbour report number {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}")
    body, size = [], 0
    while size < target:
        p = " ".join(sentence(rng, chinese) for _ in range(rng.randint(3, 6)))
        body.append(f"<p>{p}</p>")
        size += len(p.encode("utf-8")) + 7
    most_read = "".join(f'<li><a href="/news/{rng.randint(1, articles)}.html">Most read {k}</a></li>' for k in range(10))
    nav = "".join(f'<a href="/list/{k}.html">Section {k}</a> ' for k in range(1, 4))
    meta = '<meta charset="gbk">' if chinese else '<meta charset="utf-8">'
    return (f"<!DOCTYPE html><html><head>{meta}<title>{title} - Bench News</title>"
            f'<meta name="keywords" content="bench,news">{SCRIPT % tuple(range(120))}</head><body>'
            f'<header><nav class="site-nav">{nav}</nav></header>'
            f'<div class="share-bar"><a href="#">Share</a> <a href="#">Tweet</a></div>'
            f'<article><h1>{title}</h1><p class="byline">By Bench Reporter</p><div class="article-body">{"".join(body)}</div></article>'
            f'<aside class="most-read"><h2>Most read</h2><ul>{most_read}</ul></aside>'
            f'<footer class="site-footer"><p>Copyright 2026 Bench News. All rights reserved.</p></footer></body></html>')


def main():
    pages, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20261125)
    lists = max(1, -(-pages // (PER_LIST + 1)))
    articles = pages - lists
    os.makedirs(os.path.join(out, "list"), exist_ok=True)
    os.makedirs(os.path.join(out, "news"), exist_ok=True)
    os.makedirs(os.path.join(out, "mirror"), exist_ok=True)
    urls = []
    originals = {}
    for n in range(1, articles + 1):
        r = rng.random()
        if r < 0.05 and originals:
            source = rng.choice(list(originals))
            with open(os.path.join(out, "mirror", f"{n}.html"), "wb") as f:
                f.write(originals[source])
            urls.append(f"/mirror/{n}.html")
            continue
        chinese = r > 0.95
        html = article(n, rng, chinese, rng.randint(20_000, 40_000) - 8_000, articles)
        data = html.encode("gbk") if chinese else html.encode("utf-8")
        if len(originals) < 200:
            originals[n] = data
        with open(os.path.join(out, "news", f"{n}.html"), "wb") as f:
            f.write(data)
        urls.append(f"/news/{n}.html")
    for k in range(1, lists + 1):
        chunk = urls[(k - 1) * PER_LIST:k * PER_LIST]
        links = "".join(f'<li><a href="{u}">Story {u}</a></li>' for u in chunk)
        nxt = f'<a class="next" href="/list/{k + 1}.html">Next page</a>' if k < lists else ""
        with open(os.path.join(out, "list", f"{k}.html"), "w", encoding="utf-8") as f:
            f.write(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Latest, page {k}</title></head><body>'
                    f'<h1>Latest news</h1><ul class="news-list">{links}</ul>{nxt}</body></html>')
    with open(os.path.join(out, "robots.txt"), "w") as f:
        f.write("User-agent: *\nAllow: /\n")
    print(f"{lists + len(urls)} pages: {lists} list pages, {len(urls)} articles ({sum(u.startswith('/mirror') for u in urls)} duplicates)")


if __name__ == "__main__":
    main()
