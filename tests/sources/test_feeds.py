"""Feeds (RSS 2.0, RSS 1.0, Atom) and sitemaps read with read_xml; hostile XML."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corroborate.records import InputError
from corroborate.sources.feeds import (
    MAX_SITEMAP_URLS,
    html_fragment_text,
    read_xml,
    root_name,
)
from corroborate.sources.readers import RawDoc, ReadOptions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from httpserver import Reply

RSS2 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Springfield Gazette</title>
    <link>https://www.gazette.example/</link>
    <description>Local news</description>
    <item>
      <title>Two killed in Main Street shooting</title>
      <link>https://www.gazette.example/news/main-street-shooting/</link>
      <guid isPermaLink="true">https://www.gazette.example/news/main-street-shooting/</guid>
      <pubDate>Tue, 07 May 2024 21:15:00 -0500</pubDate>
      <dc:creator>Jane Roe</dc:creator>
      <description>Two people were killed.</description>
      <content:encoded><![CDATA[<p>Two people were killed and three injured on Main Street on Tuesday, police said.</p>
<h2>Suspect arrested</h2><p>A suspect was arrested at the scene &amp; charged.</p>
<ul><li>Victims: two men</li><li>Injured: three</li></ul><p>Police<br/>closed the road.</p>
<script>alert("x")</script>]]></content:encoded>
    </item>
    <item>
      <title>Council meets on Thursday</title>
      <link>https://www.gazette.example/news/council</link>
      <pubDate>Wed, 08 May 2024 08:00:00 GMT</pubDate>
      <description>The city council meets on Thursday to discuss the budget.</description>
    </item>
    <item>
      <title>Photo of the day</title>
      <link>https://www.gazette.example/photos/17</link>
    </item>
    <item>
      <guid isPermaLink="false">gazette-2024-0042</guid>
      <description>A brief without a link.</description>
    </item>
    <item>
      <description>Another brief with neither link nor guid.</description>
    </item>
    <item>
      <title>Council meets on Thursday (updated)</title>
      <link>https://www.gazette.example/news/council</link>
      <description>The meeting moved to Friday.</description>
    </item>
  </channel>
</rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Wire Service</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-05-03T18:30:02Z</updated>
  <link href="https://wire.example/"/>
  <entry>
    <title>Flood displaces hundreds</title>
    <link href="https://wire.example/2024/05/flood" rel="alternate"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2024-05-03T10:00:00+02:00</published>
    <updated>2024-05-03T18:30:02Z</updated>
    <author><name>John Doe</name></author>
    <summary>Hundreds displaced.</summary>
    <content type="html">&lt;p&gt;Hundreds of people were displaced by flooding on Friday.&lt;/p&gt;&lt;p&gt;Officials said at least 300 homes were damaged.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Storm warning</title>
    <link href="https://wire.example/2024/05/storm"/>
    <id>urn:uuid:2225c695-cfb8-4ebb-aaaa-80da344efa6b</id>
    <updated>2024-05-04T06:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>A storm warning was issued for the coast.</p><p>Schools are closed.</p></div></content>
  </entry>
  <entry>
    <title>Plain text entry</title>
    <id>tag:wire.example,2024:3</id>
    <updated>2024-05-05T06:00:00Z</updated>
    <content type="text">Line one of a plain text entry.
Line two.</content>
  </entry>
</feed>"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://old.example/">
    <title>Old Times</title><link>https://old.example/</link><description>RSS 1.0</description>
    <items><rdf:Seq><rdf:li resource="https://old.example/a"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://old.example/a">
    <title>Bridge collapses</title><link>https://old.example/a</link>
    <description>A bridge collapsed on Monday; four people were hurt.</description>
    <dc:date>2024-04-29T07:00:00Z</dc:date>
  </item>
</rdf:RDF>"""


def read(data: str | bytes, *, origin="gazette.rss", doc_id="gazette", fetcher=None, **options):
    data = data.encode("utf-8") if isinstance(data, str) else data
    return list(read_xml(data, origin=origin, doc_id=doc_id, options=ReadOptions(**options), fetcher=fetcher))


def split(results):
    return ([r for r in results if isinstance(r, RawDoc)], [r for r in results if isinstance(r, InputError)])


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


# ---------------------------------------------------------------------------------- RSS 2.0


def test_rss2_items_become_reports_with_their_metadata():
    docs, errors = split(read(RSS2))
    by_id = {d.id: d for d in docs}
    assert list(by_id) == [
        "www.gazette.example/news/main-street-shooting",
        "www.gazette.example/news/council",
        "gazette/gazette-2024-0042",
        "gazette/5",
        "www.gazette.example/news/council~2",
    ]
    first = by_id["www.gazette.example/news/main-street-shooting"]
    assert first.title == "Two killed in Main Street shooting"
    assert first.url == "https://www.gazette.example/news/main-street-shooting/"
    assert first.byline == "Jane Roe"
    assert first.source == "Springfield Gazette"
    assert first.origin == "gazette.rss"
    assert instant(first.published) == datetime(2024, 5, 8, 2, 15, tzinfo=UTC)
    # the full text of content:encoded, not the description, every word kept, one line per block
    assert first.text == (
        "Two people were killed and three injured on Main Street on Tuesday, police said.\n"
        "Suspect arrested\n"
        "A suspect was arrested at the scene & charged.\n"
        "Victims: two men\nInjured: three\n"
        "Police\nclosed the road."
    )
    council = by_id["www.gazette.example/news/council"]
    assert council.text == "The city council meets on Thursday to discuss the budget."  # the description
    assert instant(council.published) == datetime(2024, 5, 8, 8, 0, tzinfo=UTC)
    assert by_id["gazette/5"].url is None and by_id["gazette/5"].published is None
    # an item with no text at all is one error naming the item
    assert [(e.input, e.message) for e in errors] == [
        ("gazette.rss item 3", "the item ('Photo of the day') has no text (no content, description or summary)"),
    ]


def test_ids_are_stable_across_reads():
    assert [r.id for r in read(RSS2) if isinstance(r, RawDoc)] == [r.id for r in read(RSS2) if isinstance(r, RawDoc)]


def test_rss1_rdf_feed():
    [doc] = read(RDF, origin="old.rdf", doc_id="old")
    assert doc.id == "old.example/a"
    assert doc.text == "A bridge collapsed on Monday; four people were hurt."
    assert doc.source == "Old Times" and doc.published == "2024-04-29T07:00:00+00:00"


# ------------------------------------------------------------------------------------- Atom


def test_atom_entries_with_html_xhtml_and_text_content():
    docs, errors = split(read(ATOM, origin="wire.atom", doc_id="wire"))
    assert errors == []
    flood, storm, plain = docs
    assert flood.id == "wire.example/2024/05/flood"
    assert flood.text == "Hundreds of people were displaced by flooding on Friday.\nOfficials said at least 300 homes were damaged."
    assert flood.byline == "John Doe" and flood.source == "Wire Service"
    assert flood.published == "2024-05-03T10:00:00+02:00"  # published, not updated
    assert storm.text == "A storm warning was issued for the coast.\nSchools are closed."
    assert storm.published == "2024-05-04T06:00:00+00:00"  # only updated
    assert plain.id == "wire/tag:wire.example,2024:3"
    assert plain.text == "Line one of a plain text entry.\nLine two."


# ------------------------------------------------------------------------ malformed and hostile


def test_a_feed_with_items_is_read_even_if_not_well_formed():
    broken = RSS2.replace("<description>Local news</description>", "<description>News & views</description>")
    docs, _ = split(read(broken))
    assert len(docs) == 5


@pytest.mark.parametrize(("data", "message"), [
    ("<?xml version='1.0'?><rss version='2.0'><channel><title>x</ti", "malformed feed XML"),
    ("<?xml version='1.0'?><rss version='2.0'><channel><title>Empty</title></channel></rss>", "the feed has no items"),
    ("<?xml version='1.0'?><catalog><book>Dune</book></catalog>", "not a feed or a sitemap (the root element is <catalog>"),
    ("   \n", "empty file"),
    ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>x</loc>", "malformed sitemap XML"),
])
def test_bad_xml_is_one_error_naming_the_input(data, message):
    [error] = read(data)
    assert isinstance(error, InputError) and error.input == "gazette.rss"
    assert error.message.startswith(message), error.message


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<{root}>{body}</{root}>"""


@pytest.mark.parametrize(("root", "body"), [
    ("rss", "<channel><title>t</title><item><title>laughs</title><description>&lol9;</description></item></channel>"),
    ("urlset", "<url><loc>&lol9;</loc></url>"),
])
def test_billion_laughs_is_harmless(root, body):
    started = time.monotonic()
    [error] = read(BILLION_LAUGHS.format(root=root, body=body))
    assert time.monotonic() - started < 1
    assert error.input == "gazette.rss" and error.message.startswith("refused: the XML declares entities")


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret}">]>"""
    feed = xxe + "<rss version='2.0'><channel><title>t</title><item><title>x</title><description>a &xxe; b</description></item></channel></rss>"
    sitemap = xxe + "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>&xxe;</loc></url></urlset>"
    for data in (feed, sitemap):
        [error] = read(data)
        assert error.message.startswith("refused: the XML declares entities")
    # and the parsers themselves never read them: a feed item's text, a sitemap's <loc>
    from corroborate.sources.feeds import _parse_sitemap, _read_feed

    [doc] = _read_feed(feed.encode(), origin="f", doc_id="f", options=ReadOptions(), fetcher=None, base_url=None, root="rss")
    assert "TOP-SECRET" not in doc.text
    root = _parse_sitemap(sitemap.encode())
    assert "TOP-SECRET" not in "".join(root.itertext())


# ------------------------------------------------------------------------------------ helpers


def test_root_name_sniffing():
    assert root_name(RSS2.encode()) == "rss"
    assert root_name(ATOM.encode()) == "feed"
    assert root_name(RDF.encode()) == "rdf"
    assert root_name(b"\xef\xbb\xbf<!-- c --><?xml-stylesheet href='x'?>\n<urlset>") == "urlset"
    assert root_name(BILLION_LAUGHS.format(root="sitemapindex", body="").encode()) == "sitemapindex"
    assert root_name("<?xml version='1.0' encoding='utf-16'?><rss/>".encode("utf-16")) == "rss"
    assert root_name(b"just text") is None


def test_html_fragment_text_keeps_every_word():
    assert html_fragment_text("<p>One <b>bold</b>  move.</p><p>Two</p><style>p{}</style>") == "One bold move.\nTwo"
    assert html_fragment_text("no markup at all") == "no markup at all"
    assert html_fragment_text("<div>" * 1000 + "deep" + "</div>" * 1000) == "deep"


# ---------------------------------------------------------------------- sitemaps and links


PAGE = """<!DOCTYPE html><html><head><title>{title}</title>{meta}</head><body><article><h1>{title}</h1>
<p>Two people were killed and three injured in a shooting on Main Street on Tuesday night, police said.</p>
<p>Officers arrived within minutes and found the victims near the corner of Main Street and Fifth Avenue.</p>
<p>A suspect was arrested at the scene, according to a police spokesperson who spoke to reporters.</p>
</article></body></html>"""


def test_a_local_sitemap_file_fetches_its_pages(server, fetcher):
    server.route("/a", Reply(body=PAGE.format(title="Page A", meta="")))
    server.route("/b/", Reply(body=PAGE.format(title="Page B", meta="")))
    sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{server.url('/a')}</loc></url><url><loc>{server.url('/b/')}</loc></url><url><loc>{server.url('/a')}</loc></url>
<url><loc>ftp://files.example/x</loc></url>
</urlset>"""
    docs, errors = split(read(sitemap, origin="sitemap.xml", doc_id="sitemap", fetcher=fetcher))
    assert [(d.id, d.title, d.origin) for d in docs] == [
        (f"127.0.0.1:{server.port}/a", "Page A", server.url("/a")),
        (f"127.0.0.1:{server.port}/b", "Page B", server.url("/b/")),
    ]
    assert [(e.input, e.message) for e in errors] == [("sitemap.xml: ftp://files.example/x", "not an http(s) URL")]


def test_sitemap_url_cap_is_reported(server, fetcher, monkeypatch):
    from corroborate.sources import feeds

    monkeypatch.setattr(feeds, "MAX_SITEMAP_URLS", 3)
    server.route("/p", Reply(body=PAGE.format(title="P", meta="")))
    locs = "".join(f"<url><loc>{server.url('/p')}?n={n}</loc></url>" for n in range(5))
    sitemap = f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{locs}</urlset>"
    docs, errors = split(read(sitemap, origin="big.xml", fetcher=fetcher))
    assert len(docs) == 3
    assert [e.message for e in errors] == ["the sitemap lists more than 3 URLs; only the first 3 are read"]
    assert MAX_SITEMAP_URLS == 10_000


def test_sitemap_index_depth_is_capped(server, fetcher):
    # an index listing itself, forever: read once; an index chain deeper than the cap stops with an error
    for n in range(5):
        server.route(f"/idx{n}.xml", Reply(body=f"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                                f"<sitemap><loc>{server.url(f'/idx{n + 1}.xml')}</loc></sitemap></sitemapindex>",
                                           content_type="application/xml"))
    index = f"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap><loc>{server.url('/idx0.xml')}</loc></sitemap></sitemapindex>"
    results = read(index, origin="index.xml", fetcher=fetcher)
    assert [(r.input, r.message) for r in results] == [
        (server.url("/idx2.xml"), "sitemap index nested more than 3 levels deep: not read"),
    ]


def test_fetch_links_reads_each_items_page_and_keeps_the_feeds_metadata(server, fetcher):
    published = '<meta property="article:published_time" content="2024-05-09T10:00:00+00:00">'
    server.route("/story-1", Reply(body=PAGE.format(title="Page title one", meta=published)))
    server.route("/story-2", Reply(body=PAGE.format(title="", meta="").replace("<title></title>", "")
                                   .replace("<h1></h1>", "")))
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>
<item><title>Feed title one</title><link>{server.url('/story-1')}</link><pubDate>Wed, 08 May 2024 08:00:00 GMT</pubDate>
<description>Feed text one.</description></item>
<item><title>Feed title two</title><link>{server.url('/story-2')}</link><pubDate>Wed, 08 May 2024 09:00:00 GMT</pubDate>
<description>Feed text two.</description></item>
<item><title>Gone</title><link>{server.url('/gone')}</link><description>Feed text three.</description></item>
<item><title>Gone, no text</title><link>{server.url('/gone2')}</link></item>
</channel></rss>"""
    one, two, three, four = read(feed, origin="g.rss", doc_id="g", fetcher=fetcher, fetch_links=True)
    assert one.title == "Page title one" and one.published == "2024-05-09T10:00:00+00:00"
    assert "Two people were killed" in one.text and one.origin == server.url("/story-1")
    assert one.id == f"127.0.0.1:{server.port}/story-1"
    assert two.title == "Feed title two"  # the page has none
    assert instant(two.published) == datetime(2024, 5, 8, 9, 0, tzinfo=UTC)
    assert "Two people were killed" in two.text
    # a page that cannot be fetched: the feed's own text, with a warning; without text, one error
    assert three.text == "Feed text three." and three.warnings == [
        f"--fetch-links: {server.url('/gone')}: HTTP 404; the feed's own text is used"]
    assert isinstance(four, InputError) and four.input == "g.rss item 4"
    assert four.message == f"{server.url('/gone2')}: HTTP 404 (and the feed item has no text)"
