"""QUALITY.md 11: after the journeys, no server's log holds a CPF, a name or a token."""
import re


def test_server_log_has_no_personal_data(server, servers):
    assert "GET /v1/properties/" in server["log"].read_text(), "the log does record requests"
    for s in servers.started.values():
        log = s["log"].read_text()
        for secret in ["111.444.777-35", "11144477735", "529.982.247-25", "52998224725", "Maria", "MARIA", "Aparecida"]:
            assert secret not in log, f"{secret} apareceu no log do servidor ({s['today'] or 'hoje'})"
        assert not re.search(r"Bearer\s+\S+", log)
