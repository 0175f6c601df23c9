"""Command-line interface: one subcommand per module that owns the job.

Each command module exposes ``add_arguments(parser)`` and ``run(args) -> int``;
modules are imported only when their command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "build-geodata": ("panjmap.geodata_build", "build geodata/ web layers from geodata/source/"),
    "validate": ("panjmap.validate", "check the curated records; non-zero exit on any error"),
    "export": ("panjmap.export_cli", "write the filtered incidents as GeoJSON, CSV or KML"),
    "snapshot": ("panjmap.snapshot_cli", "render the map view as PNG or standalone HTML"),
    "convert": ("panjmap.importers.cli", "convert an ACLED, UCDP GED or GeoJSON file"),
    "intake": ("panjmap.intake.cli", "propose candidate records from a news article, each field with its sentence"),
    "import": ("panjmap.store.import_cli", "import a dataset file into the store, or re-sync it (shared by every session)"),
    "db": ("panjmap.store.cli", "the store: init, status, dump to seed files, backup, restore"),
    "assets": ("panjmap.assets", "copy Leaflet and plugin assets from installed packages to static/vendor/"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser; only ``command``'s module is imported to declare its arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m panjmap",
        description="Panj Border Incident Map: build, check and export the data behind the map.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(sub_parser)
            sub_parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((arg for arg in argv if arg in COMMANDS), None)
    args = build_parser(command).parse_args(argv)
    return int(args._run(args) or 0)
