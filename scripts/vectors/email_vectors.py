#!/usr/bin/env python3
"""E-mail address vectors for `EmailAddress` (issue 14, point 8), decided by an independent
implementation: `email-validator` (PyPI, 2.4.0; `pip install email-validator==2.4.0`), syntax only
(no DNS), with the special-use test domains allowed. For each address: whether it is valid, its
domain in ASCII (IDNA), and whether it needs SMTPUTF8 (a non-ASCII local part).

    python3 scripts/vectors/email_vectors.py > Tests/DomainTests/Vectors/email.json
"""
import json

import email_validator
from email_validator import EmailNotValidError, validate_email

assert email_validator.__version__ == "2.4.0", email_validator.__version__

ADDRESSES = [
    # ordinary
    "maria.silva@example.com", "Maria.Silva@Example.COM.BR", "joao+contas@provedor.com.br", "a_b-c@sub.dominio.org",
    "x@a.io", "1234@numeros.net", "o'brien@example.ie", "ana!#$%&*/=?^`{|}~@example.com",
    # internationalised domains
    "maria@bücher.example", "contato@açaí.com.br", "fulano@xn--bcher-kva.example", "user@münchen.de",
    "user@例え.jp", "fale@são-paulo.sp.gov.br",
    # internationalised local parts (SMTPUTF8)
    "joão@example.com", "josé.antônio@provedor.com.br", "用户@例え.jp",
    # invalid
    "", "sem-arroba.example.com", "@example.com", "maria@", "maria@@example.com", "ma ria@example.com",
    "maria@exa mple.com", ".maria@example.com", "maria.@example.com", "ma..ria@example.com", "maria@example",
    "maria@-example.com", "maria@example-.com", "maria@exam_ple.com", "maria@example..com", "maria@example.com.",
    "maria@.example.com", "maria@example.123", "maria@[192.0.2.1]", "\"maria silva\"@example.com", "maria(comentario)@example.com",
    "maria<x>@example.com", "maria,joana@example.com", "maria@example.c",
    "a" * 64 + "@example.com",  # 65 is refused by RFC 5321 §4.5.3.1.1 and by us, accepted by email-validator 2.4
    "maria@" + "a" * 63 + ".com", "maria@" + "a" * 64 + ".com",
    "maria@" + ".".join(["abcdefghij" * 6 + "abc"] * 3) + ".com",
    "maria@" + ".".join(["abcdefghij" * 6 + "abc"] * 4) + ".com",
]


def decide(address):
    try:
        v = validate_email(address, check_deliverability=False, test_environment=True, allow_smtputf8=True,
                           allow_quoted_local=False, allow_domain_literal=False, allow_display_name=False)
    except EmailNotValidError as e:
        return {"address": address, "valid": False, "why": str(e)}
    return {"address": address, "valid": True, "asciiDomain": v.ascii_domain,
            "smtputf8": v.smtputf8}


print(json.dumps([decide(a) for a in ADDRESSES], ensure_ascii=False, indent=1))
