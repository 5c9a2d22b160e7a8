#!/usr/bin/env python3
"""Keep order_fulfilment/i18n/zh_TW.po in step with zh_CN.po.

Every entry of zh_CN.po gets an entry in zh_TW.po. An entry whose zh_TW
translation is missing or empty is filled from the zh_CN translation, converted
with OpenCC "s2twp" (Simplified to Traditional Chinese with Taiwan phrases) and
then with TAIWAN_TERMS below. A non-empty zh_TW translation is never replaced,
so corrections made by hand in zh_TW.po stay. Entries that zh_CN.po no longer
has are dropped. The file is written sorted by msgid and formatted like
`oca-checks-po` wants it; running the tool again changes nothing.

    python3 tools/po_zh_tw.py            # update zh_TW.po
    python3 tools/po_zh_tw.py --check    # exit 1 if zh_TW.po would change

`tools/dev.sh pot` runs it after merging the template into the .po files.
Needs polib and opencc (requirements-dev.txt).
"""

import argparse
import re
import sys
from pathlib import Path

import polib

try:
    import opencc
except ImportError:  # pragma: no cover
    sys.exit("po_zh_tw: the 'opencc' package is missing; pip install -r requirements-dev.txt")

I18N = Path(__file__).resolve().parent.parent / "order_fulfilment" / "i18n"
PLURAL_FORMS = "nplurals=1; plural=0;"

# Replaced in the s2twp output: where Taiwan's usage, or the words Odoo's own
# zh_TW translations use for the same things, differ from what s2twp gives.
TAIWAN_TERMS = (
    ("質量", "品質"),  # quality (質量 is mass in Taiwan)
    ("質檢", "品檢"),
    ("發貨單", "交貨單"),  # Odoo zh_TW: Delivery Orders = 交貨單
    ("發貨", "出貨"),
    ("合同", "合約"),
    ("型別", "類型"),  # s2twp's programming "type"; Odoo zh_TW uses 類型
    ("響應", "回應"),
    ("答覆", "回覆"),
    ("反饋", "回饋"),
    ("當前", "目前"),
    ("聯系", "聯絡"),  # s2twp splits 并联系 as 並聯 + 系
    ("使用者服務", "客戶服務"),
    ("除錯", "調試"),  # 安装调试 is installation and commissioning, not debugging
    ("已歸檔", "已封存"),  # Odoo zh_TW: Archived = 已封存
    ("訪問", "存取"),
    ("幣種", "貨幣"),
    ("萬億", "兆"),
    ("視窗", "期間"),  # a window of days, not a screen window
    ("設置", "設定"),
    ("伙伴", "夥伴"),
    ("跟蹤", "追蹤"),
    ("釋出", "發布"),
    ("元件", "組件"),  # sub-assemblies
    ("電機", "馬達"),
    ("新建", "新增"),
    ("定製", "客製"),
    ("（可選）", "（選填）"),
    ("銷售員", "銷售人員"),  # Odoo zh_TW sale: Salesperson = 銷售人員
    ("交付日期", "交貨日期"),
    ("提前期", "前置時間"),
    ("優先順序", "優先級"),
    ("運算元", "操作數"),
    ("通過電子郵件", "透過電子郵件"),
    ("只能通過", "只能透過"),
    ("開票", "開立發票"),
    ("“", "「"),
    ("”", "」"),
    ("‘", "『"),
    ("’", "』"),
)

_TERMS_MAP = dict(TAIWAN_TERMS)
_TERMS = re.compile("|".join(map(re.escape, sorted(_TERMS_MAP, key=len, reverse=True))))

# Python-format placeholders and HTML tags must survive the conversion.
PLACEHOLDER = re.compile(r"%\([a-zA-Z0-9_]+\)[sdfr]|%[sdfr]|%%|\{[a-zA-Z0-9_]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")

_converter = None


def to_taiwan(text):
    """Simplified Chinese text -> Traditional Chinese with Taiwan terms."""
    global _converter
    if _converter is None:
        _converter = opencc.OpenCC("s2twp")
    # Convert the text between tags and placeholders only: attribute names,
    # CSS classes and placeholder names stay as they are.
    parts = re.split(f"({PLACEHOLDER.pattern}|{TAG.pattern})", text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a tag or a placeholder
            out.append(_convert_tag(part) if part.startswith("<") else part)
        else:
            out.append(_convert_words(part))
    return "".join(out)


def _convert_words(text):
    # One pass, longest term first, so that a replacement is never replaced again
    # (質量檢驗 -> 品質檢驗, not 品品檢驗 through 質檢).
    return _TERMS.sub(lambda m: _TERMS_MAP[m.group(0)], _converter.convert(text))


def _convert_tag(tag):
    # Only the quoted attribute values of a tag are text (title="...", placeholder="...").
    return re.sub(r'="([^"]*)"', lambda m: '="%s"' % _convert_words(m.group(1)), tag)


def _same_markup(source, translation):
    return sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(translation)) and [
        t.split()[0].rstrip("/>") for t in TAG.findall(source)
    ] == [t.split()[0].rstrip("/>") for t in TAG.findall(translation)]


def _key(entry):
    return (entry.msgctxt, entry.msgid)


def build(cn, tw):
    """Return the new zh_TW POFile built from the zh_CN one and the current zh_TW one (or None)."""
    # Obsolete entries (#~, left by msgmerge) count too: a string that comes back
    # gets its old translation back. Current entries win over obsolete ones.
    old = {}
    for entry in sorted(tw or (), key=lambda e: not e.obsolete):
        old[_key(entry)] = entry
    new = polib.POFile(wrapwidth=78)
    new.header = cn.header
    new.metadata = dict(cn.metadata)
    if tw is not None and tw.metadata.get("PO-Revision-Date"):
        new.metadata["PO-Revision-Date"] = tw.metadata["PO-Revision-Date"]
    new.metadata["Language"] = "zh_TW"
    new.metadata["Plural-Forms"] = PLURAL_FORMS
    filled = kept = 0
    for source in cn:
        if source.obsolete:
            continue
        previous = old.get(_key(source))
        entry = polib.POEntry(
            msgid=source.msgid,
            msgctxt=source.msgctxt,
            msgid_plural=source.msgid_plural,
            occurrences=list(source.occurrences),
            comment=source.comment,
            tcomment=previous.tcomment if previous else "",
            flags=[f for f in source.flags if f != "fuzzy"],
        )
        if source.msgid_plural:
            old_plural = previous.msgstr_plural if previous else {}
            reused = any(old_plural.values())
            entry.msgstr_plural = {
                index: old_plural.get(index) or _fill(source.msgid_plural, text)
                for index, text in sorted(source.msgstr_plural.items())
            }
        else:
            reused = bool(previous and previous.msgstr)
            entry.msgstr = previous.msgstr if reused else _fill(source.msgid, source.msgstr)
        # A translation stays fuzzy where it comes from a fuzzy one.
        if previous.fuzzy if reused else source.fuzzy:
            entry.flags.append("fuzzy")
        kept += reused
        filled += not reused and bool(entry.msgstr or any(entry.msgstr_plural.values()))
        if entry.msgstr == entry.msgid:
            # oca-checks-po: a translation equal to its source is left empty.
            entry.msgstr = ""
        new.append(entry)
    new.sort(key=lambda e: e.msgid)
    return new, filled, kept


def _fill(msgid, zh_cn):
    if not zh_cn:
        return ""
    text = to_taiwan(zh_cn)
    if not _same_markup(zh_cn, text):  # pragma: no cover - s2twp leaves ASCII alone
        print(f"po_zh_tw: placeholders changed in {msgid!r}; left untranslated", file=sys.stderr)
        return ""
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=I18N / "zh_CN.po")
    parser.add_argument("--target", type=Path, default=I18N / "zh_TW.po")
    parser.add_argument("--check", action="store_true", help="only report whether the file would change")
    args = parser.parse_args(argv)

    cn = polib.pofile(str(args.source), wrapwidth=78)
    tw = polib.pofile(str(args.target), wrapwidth=78) if args.target.exists() else None
    new, filled, kept = build(cn, tw)
    text = str(new)
    current = args.target.read_text(encoding="utf-8") if args.target.exists() else None
    changed = text != current
    total = len(new)
    empty = sum(1 for e in new if not (e.msgstr or any(e.msgstr_plural.values())))
    print(
        f"po_zh_tw: {args.target.name}: {total} entries, {kept} kept, {filled} filled from "
        f"{args.source.name}, {empty} empty{'' if changed else ', unchanged'}",
        file=sys.stderr,
    )
    if args.check:
        return 1 if changed else 0
    if changed:
        args.target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
