"""Runs the AWS CLI with every API call answered locally by an empty response.

The AWS CLI parses the arguments and botocore validates the parameters against the service
model as usual; then a `before-call` handler answers instead of AWS, so nothing is signed or
sent and no credentials are needed. An argument or parameter error exits non-zero as it would
against AWS. Usage: python3 aws_offline.py <aws arguments>
"""

import sys

from awscli.clidriver import create_clidriver


class _Answered:
    status_code = 200
    headers = {}
    content = b""
    text = ""


def _answer(**_kwargs):
    return _Answered(), {}


driver = create_clidriver()
driver.session.register("before-call", _answer)
sys.exit(driver.main(sys.argv[1:]))
