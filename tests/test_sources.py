import io
import json
import zipfile

from sousveil.ingest.sources import Failure, Limits, Skipped, Source, iter_sources


def sources(paths, limits=Limits()):
    return list(iter_sources(paths, limits))


def test_files_sidecars_and_missing_paths(tmp_path):
    (tmp_path / "a.html").write_text("<p>甲</p>", encoding="utf-8")
    (tmp_path / "a.html.meta.json").write_text(json.dumps({"url": "https://example.gov.cn/a.htm",
                                                            "retrieved_at": "2025-01-02T03:04:05Z"}))
    (tmp_path / "b.txt").write_text("乙", encoding="utf-8")
    out = sources([tmp_path, tmp_path / "missing.html"])
    docs = [s for s in out if isinstance(s, Source)]
    docs.sort(key=lambda d: d.name)
    assert [d.name.rsplit("/", 1)[-1] for d in docs] == ["a.html", "b.txt"]
    assert docs[0].url == "https://example.gov.cn/a.htm" and docs[0].retrieved_at == "2025-01-02T03:04:05Z"
    assert docs[1].url is None  # provenance falls back to the path (Source.name)
    [missing] = [s for s in out if isinstance(s, Failure)]
    assert "no such file" in missing.reason and "missing.html" in missing.name


def test_broken_sidecar_is_a_named_failure(tmp_path):
    (tmp_path / "a.html").write_text("<p>甲</p>")
    (tmp_path / "a.html.meta.json").write_text("{not json")
    [f] = sources([tmp_path])
    assert isinstance(f, Failure) and "a.html.meta.json" in f.reason


def zip_bytes(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_nested_zip_members(tmp_path):
    inner = zip_bytes({"c.html": "<p>丙</p>"})
    (tmp_path / "x.zip").write_bytes(zip_bytes({"a.html": "<p>甲</p>", "sub/inner.zip": inner, "dir/": ""}))
    docs = [s for s in sources([tmp_path / "x.zip"]) if isinstance(s, Source)]
    assert sorted(d.name.split("x.zip!", 1)[1] for d in docs) == ["a.html", "sub/inner.zip!c.html"]


def test_zip_limits(tmp_path):
    bomb = zip_bytes({"bomb.txt": b"0" * 5_000_000})
    (tmp_path / "bomb.zip").write_bytes(bomb)
    [f] = sources([tmp_path / "bomb.zip"])
    assert isinstance(f, Failure) and "compression ratio" in f.reason
    [f] = sources([tmp_path / "bomb.zip"], Limits(max_ratio=1e9, max_member_bytes=1000))
    assert isinstance(f, Failure) and "exceeds the limit" in f.reason
    deep = zip_bytes({"a.html": "<p>甲</p>"})
    for _ in range(4):
        deep = zip_bytes({"d.zip": deep})
    (tmp_path / "deep.zip").write_bytes(deep)
    out = sources([tmp_path / "deep.zip"])
    assert any(isinstance(f, Failure) and "nested deeper" in f.reason for f in out)


def test_corrupt_zip(tmp_path):
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    [f] = sources([tmp_path / "bad.zip"])
    assert isinstance(f, Failure) and "bad.zip" in f.name


def write_warc(path, gz=True):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for uri, ctype, status, body in [
            ("http://www.ccgp.gov.cn/cggg/dfgg/zbgg/202505/t20250527_1.htm", "text/html; charset=gbk", "200 OK",
             "<html><body><p>中标公告</p></body></html>".encode("gbk")),
            ("http://www.ccgp.gov.cn/logo.png", "image/png", "200 OK", b"\x89PNG...."),
            ("http://www.ccgp.gov.cn/gone.htm", "text/html", "404 Not Found", b"<p>404</p>"),
        ]:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers,
                                            warc_headers_dict={"WARC-Date": "2025-05-28T01:02:03Z"})
            writer.write_record(rec)


def test_warc_response_records(tmp_path):
    write_warc(tmp_path / "crawl.warc.gz")
    out = sources([tmp_path])
    [doc] = [s for s in out if isinstance(s, Source)]
    assert doc.url.endswith("t20250527_1.htm") and doc.retrieved_at == "2025-05-28T01:02:03Z"
    assert doc.content_type == "text/html; charset=gbk"
    assert "中标公告".encode("gbk") in doc.data
    skipped = [s for s in out if isinstance(s, Skipped)]
    assert len(skipped) == 2 and {"image/png" in s.reason or "404" in s.reason for s in skipped} == {True}


def test_uncompressed_warc_and_warc_in_zip(tmp_path):
    write_warc(tmp_path / "crawl.warc", gz=False)
    assert len([s for s in sources([tmp_path / "crawl.warc"]) if isinstance(s, Source)]) == 1
    (tmp_path / "z.zip").write_bytes(zip_bytes({"crawl.warc": (tmp_path / "crawl.warc").read_bytes()}))
    assert len([s for s in sources([tmp_path / "z.zip"]) if isinstance(s, Source)]) == 1


def test_truncated_warc_is_a_failure(tmp_path):
    write_warc(tmp_path / "crawl.warc.gz")
    data = (tmp_path / "crawl.warc.gz").read_bytes()
    (tmp_path / "crawl.warc.gz").write_bytes(data[: len(data) // 3])
    out = sources([tmp_path / "crawl.warc.gz"])
    assert any(isinstance(f, Failure) for f in out)
