#!/usr/bin/env python3
"""Makes a registration token for each named virtual account and prints `pool<TAB>token` lines.

    make_tokens.py East West --days 30 --max-uses 50 > tokens.tsv

Every name is looked up first, so a misspelt one makes no token at all. What the script does goes to
standard error; the tokens alone to standard output.
"""

import sys

from portal_api import Portal, arguments, run


def add_arguments(parser):
    parser.add_argument("pools", nargs="+", metavar="POOL_NAME", help="a virtual account's name")
    parser.add_argument("--days", type=int, default=30, help="days until the tokens expire, 1 to 365 (30)")
    parser.add_argument("--max-uses", type=int, help="the most devices each token registers (unlimited)")
    parser.add_argument("--description", default="made by make_tokens.py")


def main():
    args = arguments(__doc__.splitlines()[0], add_arguments)
    portal = Portal(args.url, args.api_key)
    by_name = {va["name"]: va for va in portal.pages("/virtual-accounts")}
    missing = [name for name in args.pools if name not in by_name]
    if missing:
        sys.exit(f"error: no virtual account named {', '.join(missing)} that this key sees")
    for name in args.pools:
        token = portal.request("POST", f"/virtual-accounts/{by_name[name]['id']}/tokens", json={
            "description": args.description,
            "expires_after_days": args.days,
            "max_uses": args.max_uses,
        }).json()
        uses = token["max_uses"] if token["max_uses"] is not None else "unlimited"
        print(f"made token {token['id']} for {name}: expires {token['expires_at']}, uses {uses}",
              file=sys.stderr)
        print(f"{name}\t{token['token']}", flush=True)


if __name__ == "__main__":
    run(main)
