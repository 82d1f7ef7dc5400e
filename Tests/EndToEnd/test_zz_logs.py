"""QUALITY.md 11: after the journeys, the server's log holds no CPF, no name, no token."""
import re


def test_server_log_has_no_personal_data(server):
    log = server["log"].read_text()
    assert "GET /v1/properties/" in log, "the log does record requests"
    for secret in ["111.444.777-35", "11144477735", "529.982.247-25", "52998224725", "Maria", "MARIA", "Aparecida"]:
        assert secret not in log, f"{secret} apareceu no log do servidor"
    assert not re.search(r"Bearer\s+\S+", log)
