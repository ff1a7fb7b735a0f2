#!/usr/bin/env python3
"""Reference answers from the Python `packaging` library for lazywheel's differential tests.

Usage: packaging_oracle.py INPUT.json OUTPUT.json

INPUT is a JSON object; every key is optional:
  versions:      [str]                         -> {normalized|null, pre, post, dev, public, base}
  comparisons:   [[str, str]]                  -> -1 | 0 | 1 (both must be valid versions)
  specifiers:    [str]                         -> {str|null, prereleases}   (SpecifierSet)
  contains:      [[spec, version, pre]]        -> true | false | null (invalid specifier)
                 pre is null/true/false; version is passed as a string
  contains_parsed: [[spec, version, pre]]      -> same, with the version passed as a Version
  filters:       [[spec, [version], pre]]      -> [version] (strings as given)
  markers:       [str]                         -> str(Marker) | null (invalid)
  environments:  [{name: value}]
  marker_evals:  [[marker, env_index, extra]]  -> true | false | "UndefinedComparison" | ...
  requirements:  [str]                         -> {name, extras, specifier, url, marker, str} | null
  wheels:        [str]                         -> {name, version, build, tags} | null
  tag_lists:     [{python: [3, 12], platforms: [str]}] -> [str] (cpython_tags + compatible_tags)
  mac:           [[major, minor, arch]]        -> [str]
  manylinux:     [[major, minor, arch]]        -> [str]
"""
import json
import sys

from packaging import tags as ptags
from packaging import _manylinux
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version


def version_info(text):
    try:
        v = Version(text)
    except InvalidVersion:
        return None
    return {
        "normalized": str(v),
        "pre": v.is_prerelease,
        "post": v.is_postrelease,
        "dev": v.is_devrelease,
        "public": v.public,
        "base": v.base_version,
    }


def spec_or_none(text):
    try:
        return SpecifierSet(text)
    except Exception:
        return None


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    out = {}

    out["versions"] = [version_info(t) for t in request.get("versions", [])]

    comparisons = []
    for a, b in request.get("comparisons", []):
        va, vb = Version(a), Version(b)
        comparisons.append(-1 if va < vb else (1 if va > vb else 0))
    out["comparisons"] = comparisons

    specs = []
    for text in request.get("specifiers", []):
        s = spec_or_none(text)
        specs.append(None if s is None else {"str": str(s), "prereleases": s.prereleases})
    out["specifiers"] = specs

    for key, parse in (("contains", False), ("contains_parsed", True)):
        answers = []
        for spec, version, pre in request.get(key, []):
            s = spec_or_none(spec)
            if s is None:
                answers.append(None)
                continue
            item = Version(version) if parse else version
            answers.append(bool(s.contains(item, prereleases=pre)))
        out[key] = answers

    filters = []
    for spec, versions, pre in request.get("filters", []):
        s = spec_or_none(spec)
        filters.append(None if s is None else list(s.filter(versions, prereleases=pre)))
    out["filters"] = filters

    markers = []
    for text in request.get("markers", []):
        try:
            markers.append(str(Marker(text)))
        except Exception:
            markers.append(None)
    out["markers"] = markers

    environments = request.get("environments", [])
    evals = []
    for text, env_index, extra in request.get("marker_evals", []):
        env = dict(environments[env_index])
        if extra is not None:
            env["extra"] = extra
        try:
            evals.append(bool(Marker(text).evaluate(env)))
        except Exception as error:  # noqa: BLE001 - the exception type is the answer
            evals.append(type(error).__name__)
    out["marker_evals"] = evals

    requirements = []
    for text in request.get("requirements", []):
        try:
            r = Requirement(text)
        except Exception:
            requirements.append(None)
            continue
        requirements.append({
            "name": r.name,
            "extras": sorted(r.extras),
            "specifier": str(r.specifier),
            "url": r.url,
            "marker": None if r.marker is None else str(r.marker),
            "str": str(r),
        })
    out["requirements"] = requirements

    wheels = []
    for text in request.get("wheels", []):
        try:
            name, version, build, tag_set = parse_wheel_filename(text)
        except Exception:
            wheels.append(None)
            continue
        wheels.append({
            "name": name,
            "version": str(version),
            "build": list(build) if build else None,
            "tags": sorted(str(t) for t in tag_set),
        })
    out["wheels"] = wheels

    tag_lists = []
    for item in request.get("tag_lists", []):
        python = tuple(item["python"])
        platforms = item["platforms"]
        interpreter = f"cp{python[0]}{python[1]}"
        result = list(ptags.cpython_tags(python, [interpreter], platforms))
        result += list(ptags.compatible_tags(python, interpreter, platforms))
        tag_lists.append([str(t) for t in result])
    out["tag_lists"] = tag_lists

    out["mac"] = [list(ptags.mac_platforms((major, minor), arch)) for major, minor, arch in request.get("mac", [])]

    manylinux = []
    for major, minor, arch in request.get("manylinux", []):
        _manylinux._get_glibc_version = lambda major=major, minor=minor: (major, minor)
        _manylinux._have_compatible_abi = lambda executable, archs: True
        _manylinux._get_manylinux_module = lambda: None
        manylinux.append(list(_manylinux.platform_tags([arch])))
    out["manylinux"] = manylinux

    out["canonical_names"] = [canonicalize_name(n) for n in request.get("canonical_names", [])]

    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main()
