"""Runs the AWS CLI with every API call answered locally by an empty response.

The AWS CLI parses the arguments and botocore validates the parameters against the service
model as usual; then a `before-call` handler answers instead of AWS, so nothing is signed or
sent and no credentials are needed. An argument or parameter error exits non-zero as it would
against AWS; once a call has passed validation, what the CLI does with the empty answer (a
`--query` over missing fields, an `--outfile` it cannot fill) is not the script's fault and
exits 0. Usage: python3 aws_offline.py <aws arguments>
"""

import sys

from awscli.clidriver import create_clidriver


class _Answered:
    status_code = 200
    headers = {}
    content = b""
    text = ""


_called = []


def _answer(**_kwargs):
    _called.append(True)
    return _Answered(), {}


driver = create_clidriver()
driver.session.register("before-call", _answer)
status = driver.main(sys.argv[1:])
sys.exit(0 if _called else status)
