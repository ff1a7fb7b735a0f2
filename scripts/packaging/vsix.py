"""Builds the VS Code extension package (a VSIX: an Open Packaging Conventions ZIP with
`extension.vsixmanifest` and `[Content_Types].xml`, as `vsce package` writes it) for linux-x64,
with lazywheel's binary bundled under `extension/server/` (the layout of payload.py).

    (called by scripts/packaging/build.py)

The extension runs the `lazywheel.serverPath` setting when set, else `lazywheel` on PATH, else
this bundled binary (editors/vscode/src/serverPath.js).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import payload
from wheel import write_zip

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
TARGET_PLATFORM = "linux-x64"


def manifest(package: dict) -> str:
    """`extension.vsixmanifest`, from package.json as vsce fills it."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="{escape(package['name'])}" Version="{escape(package['version'])}" Publisher="{escape(package['publisher'])}" TargetPlatform="{TARGET_PLATFORM}"/>
    <DisplayName>{escape(package.get('displayName', package['name']))}</DisplayName>
    <Description xml:space="preserve">{escape(package.get('description', ''))}</Description>
    <Tags></Tags>
    <Categories>Other</Categories>
    <GalleryFlags>Public</GalleryFlags>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="{escape(package['engines']['vscode'])}" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionDependencies" Value="" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionPack" Value="" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace" />
      <Property Id="Microsoft.VisualStudio.Code.LocalizedLanguages" Value="" />
    </Properties>
    <License>extension/LICENSE.txt</License>
  </Metadata>
  <Installation>
    <InstallationTarget Id="Microsoft.VisualStudio.Code"/>
  </Installation>
  <Dependencies/>
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.License" Path="extension/LICENSE.txt" Addressable="true" />
  </Assets>
</PackageManifest>
"""


CONTENT_TYPES = {".json": "application/json", ".js": "application/javascript", ".md": "text/markdown",
                 ".txt": "text/plain", ".vsixmanifest": "text/xml"}


def content_types(names: list[str]) -> str:
    """`[Content_Types].xml`: a Default for each file extension in the package (OPC)."""
    extensions = sorted({Path(name).suffix.lower() for name in names if Path(name).suffix})
    defaults = "".join(f'<Default Extension="{escape(ext)}" ContentType="{CONTENT_TYPES.get(ext, "application/octet-stream")}"/>'
                       for ext in extensions)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{defaults}</Types>\n')


def build(files: payload.Payload, version: str, out: Path) -> Path:
    package = json.loads((EXTENSION / "package.json").read_text())
    if package["version"] != version:
        raise SystemExit(f"scripts/package: editors/vscode/package.json has version {package['version']}, "
                         f"Sources/LazyWheelCore/Version.swift {version}")
    members: list[tuple[str, bytes, int]] = [
        ("extension/package.json", (EXTENSION / "package.json").read_bytes(), 0o644),
        ("extension/README.md", (EXTENSION / "README.md").read_bytes(), 0o644),
        ("extension/LICENSE.txt", (REPO / "LICENSE").read_bytes(), 0o644),
    ]
    for source in sorted((EXTENSION / "src").rglob("*.js")):
        members.append((f"extension/{source.relative_to(EXTENSION)}", source.read_bytes(), 0o644))
    members.append(("extension/server/bin/lazywheel", files.program.read_bytes(), 0o755))
    for soname, library in files.libraries.items():
        members.append((f"extension/server/lib/lazywheel/{soname}", library.read_bytes(), 0o755))
    for package_name, copyright_file in files.notices:
        members.append((f"extension/server/licenses/{package_name}/copyright", copyright_file.read_bytes(), 0o644))
    names = [name for name, _, _ in members] + ["extension.vsixmanifest"]
    members = [("extension.vsixmanifest", manifest(package).encode(), 0o644),
               ("[Content_Types].xml", content_types(names).encode(), 0o644)] + members
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"lazywheel-{version}.vsix"
    write_zip(target, members)
    print(f"scripts/package: {target.name}, {target.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return target
