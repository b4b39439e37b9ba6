"""Work per document must be linear in its size: time of hostile and large documents at one size and
at ten times it (issue 11: 10x the rows of an item table costs at most 12x the time).

usage: python bench/scaling.py [--base N]
"""

import argparse
import time

from sousveil.ingest.sources import Source
from sousveil.pipeline import process


def item_table(n: int) -> bytes:
    rows = "".join(f"<tr><td>{i}</td><td>摄像机{i}</td><td>海康威视</td><td>DS-{i}</td><td>{i % 50 + 1}</td><td>{1000 + i}</td></tr>"
                   for i in range(n))
    return ("<h3>某市公安局视频监控采购项目中标公告</h3><p>采购人：某市公安局</p><table><tr><td>序号</td><td>货物名称</td>"
            f"<td>品牌</td><td>规格型号</td><td>数量</td><td>单价（元）</td></tr>{rows}</table>").encode()


def labelled_rows(n: int) -> bytes:
    rows = "".join(f"<tr><td>{i}</td><td>某项目{i}</td><td>{i % 90 + 1}</td><td>2023年{i % 12 + 1}月</td></tr>" for i in range(n))
    return ("<h3>某市公安局2023年政府采购意向公告</h3><table><tr><td>序号</td><td>采购项目名称</td><td>预算金额(万元)</td>"
            f"<td>预计采购时间</td></tr>{rows}</table>").encode()


SHAPES = {
    "item table (rows)": lambda n: item_table(n),
    "a table of labelled columns (rows)": lambda n: labelled_rows(n),
    "deep nesting (levels)": lambda n: ("<div>" * (10 * n) + "采购人：某市公安局" + "</div>" * (10 * n)).encode(),
    "a long line after a money label (digits)": lambda n: ("<p>预算金额：" + "1" * (50 * n) + "</p>").encode(),
    "a long Chinese line (characters)": lambda n: ("<p>采购人：" + "某" * (100 * n) + "</p>").encode(),
    "many labels (repeats)": lambda n: ("<p>" + "采购人：某市公安局；" * (5 * n) + "</p>").encode(),
    "many dates (repeats)": lambda n: ("<p>" + "2023年5月1日，" * (5 * n) + "</p>").encode(),
    "short lines (lines)": lambda n: "<br>".join(["中标人 某某科技有限公司"] * (5 * n)).encode(),
    "a committee of many names": lambda n: ("<p>磋商小组（" + "、".join(["张三丰"] * (5 * n)) + "）</p>").encode(),
}


def seconds(data: bytes) -> float:
    t = time.perf_counter()
    rec = process(Source(data, "x.html"), seconds=None, memory_mb=None)
    assert rec.status != "failed", rec.error
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=int, default=2000, help="The smaller size (the larger is 10x).")
    args = parser.parse_args()
    print("| document | size | seconds | 10x size | seconds | ratio (target <= 12) |")
    print("|---|---|---|---|---|---|")
    for name, make in SHAPES.items():
        small, large = make(args.base), make(10 * args.base)
        a, b = seconds(small), seconds(large)
        print(f"| {name} | {len(small) / 1e6:.2f} MB | {a:.2f} | {len(large) / 1e6:.2f} MB | {b:.2f} | {b / a:.1f} |", flush=True)


if __name__ == "__main__":
    main()
