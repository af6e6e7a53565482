"""aftersale import-pickup-points FILE --shop SLUG."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from aftersale.delivery.models import PickupPoint

HEADER = "carrier;code;name;kind;street;postcode;city;latitude;longitude;opening_hours\n"


def test_it_imports_a_semicolon_separated_file(shop, tmp_path, capsys):
    registry = tmp_path / "posti.csv"
    registry.write_text(
        HEADER
        + "posti;1001;Posti Kamppi;counter;Urho Kekkosen katu 1;00100;Helsinki;60.169;24.932;"
        "mon-fri 08:00-21:00; sat 10:00-18:00; sun closed\n"
        + "posti;1002;Pakettiautomaatti Töölö;locker;Runeberginkatu 2;00100;Helsinki;60.18;24.92;"
        "mon-sun 24h\n",
        encoding="utf-8-sig",
    )

    call_command("import_pickup_points", str(registry), shop="pohjola")

    out = capsys.readouterr().out
    assert "Imported 2 pickup point(s) of posti: 2 new, 0 updated" in out
    assert PickupPoint.objects.for_shop(shop).count() == 2


def test_it_reports_bad_rows_and_imports_nothing(shop, tmp_path, capsys):
    registry = tmp_path / "bad.csv"
    registry.write_text(
        HEADER.replace(";", ",")
        + "posti,1001,Posti Kamppi,counter,,00100,Helsinki,60.169,24.932,\n"
        + "posti,1002,,drone,,00100,Helsinki,,,\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="Nothing was imported: 2 problem"):
        call_command("import_pickup_points", str(registry), shop="pohjola")

    err = capsys.readouterr().err
    assert "Row 3, column “name”: This value is required." in err
    assert "Row 3, column “kind”" in err
    assert not PickupPoint.objects.exists()


def test_it_names_an_unknown_shop(db, tmp_path):
    registry = tmp_path / "posti.csv"
    registry.write_text(HEADER, encoding="utf-8")
    with pytest.raises(CommandError, match="No shop with the slug “nope”"):
        call_command("import_pickup_points", str(registry), shop="nope")


def test_it_is_reachable_by_its_hyphenated_name():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "aftersale.cli", "import-pickup-points", "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "--shop" in result.stdout and "import_pickup_points" in result.stdout
