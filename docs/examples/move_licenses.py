#!/usr/bin/env python3
"""Moves licenses of one tag from one virtual account to another, once, whatever the retries.

    move_licenses.py --license A9K-100G-LIC --from East --to West --quantity 10 --key move-2026-001

The request carries `--key` as its Idempotency-Key: running the script again with the same key and
the same move changes nothing more and prints the first answer again, marked as a replay. The same
key with another move is refused (422 idempotency_key_reused). Kept answers are forgotten after 24
hours.
"""

from portal_api import Portal, arguments, run


def add_arguments(parser):
    parser.add_argument("--license", required=True, metavar="TAG", help="the entitlement tag")
    parser.add_argument("--from", dest="giver", required=True, metavar="POOL", help="the giving virtual account")
    parser.add_argument("--to", dest="taker", required=True, metavar="POOL", help="the receiving virtual account")
    parser.add_argument("--quantity", type=int, required=True)
    parser.add_argument("--key", dest="idempotency_key", required=True, metavar="IDEMPOTENCY_KEY",
                        help="1 to 255 visible ASCII characters, new for each move you mean")


def main():
    args = arguments(__doc__.splitlines()[0], add_arguments)
    portal = Portal(args.url, args.api_key)
    by_name = {va["name"]: va["id"] for va in portal.pages("/virtual-accounts")}
    for name in (args.giver, args.taker):
        if name not in by_name:
            raise SystemExit(f"error: no virtual account named {name} that this key sees")
    move = {"license": args.license, "from": by_name[args.giver], "to": by_name[args.taker],
            "quantity": args.quantity}
    response = portal.request("POST", "/transfers", json={"transfers": [move]},
                              headers={"Idempotency-Key": args.idempotency_key})
    replayed = response.headers.get("Idempotent-Replayed") == "true"
    for done in response.json()["transfers"]:
        print(f"transfer {done['id']}: {done['quantity']} × {done['license']} "
              f"from {done['from']['name']} to {done['to']['name']}")
    if replayed:
        print(f"replay: key {args.idempotency_key} was already used for this move; nothing more moved")
    else:
        print(f"moved now (key {args.idempotency_key})")


if __name__ == "__main__":
    run(main)
