#!/usr/bin/env python3
"""Downloads a report as an Excel or CSV file, streamed to disk as it arrives.

    export_report.py --report product-instances --out instances.xlsx [--pool East --pool West]

The format follows the file's extension (.xlsx or .csv). Reports: licenses, product-instances,
virtual-accounts, license-usage, tokens, event-log, and full-inventory (.xlsx only); docs/REPORTS.md
says what each holds and which --status values it takes. Without --pool the report covers every
virtual account the key sees.
"""

import os
import sys
import tempfile

from portal_api import Portal, arguments, run


def add_arguments(parser):
    parser.add_argument("--report", required=True, help="e.g. product-instances")
    parser.add_argument("--out", required=True, metavar="FILE", help="where to write it: FILE.xlsx or FILE.csv")
    parser.add_argument("--pool", action="append", default=[], metavar="NAME",
                        help="only this virtual account (repeat for several)")
    parser.add_argument("--status", help="only rows of this status, e.g. out_of_compliance")
    parser.add_argument("--license", metavar="TAG", help="only rows of this entitlement tag")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="first day (the report's date column)")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="last day, included")


def main():
    args = arguments(__doc__.splitlines()[0], add_arguments)
    extension = os.path.splitext(args.out)[1].lower()
    if extension not in (".xlsx", ".csv"):
        sys.exit("error: --out must end in .xlsx or .csv")
    portal = Portal(args.url, args.api_key, timeout=600)
    params = []
    if args.pool:
        by_name = {va["name"]: va["id"] for va in portal.pages("/virtual-accounts")}
        for name in args.pool:
            if name not in by_name:
                sys.exit(f"error: no virtual account named {name} that this key sees")
            params.append(("va", by_name[name]))
    for name, value in (("status", args.status), ("license", args.license),
                        ("from", args.since), ("to", args.until)):
        if value:
            params.append((name, value))

    path = f"/reports/{args.report}{extension}"
    with portal.request("GET", path, params=params, stream=True) as response:
        # Written beside the target and renamed at the end: a failed download leaves no half file.
        folder = os.path.dirname(os.path.abspath(args.out))
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".export-", delete=False) as part:
            try:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    part.write(chunk)
            except BaseException:
                os.unlink(part.name)
                raise
        os.replace(part.name, args.out)
    size = os.path.getsize(args.out)
    scope = ", ".join(args.pool) if args.pool else "every virtual account"
    print(f"wrote {args.out}: {args.report}{extension} of {scope}, {size:,} bytes")


if __name__ == "__main__":
    run(main)
