"""Fixtures of the national-batch tests (LocalCluster and real cluster processes): the
partitions of the small national case and their single-process run, the reference."""

from __future__ import annotations

import pytest

from maillage.analysis import make_partitions, merge_partitions
from maillage.national import run_partitions

from ..analysis.national_case import MINUTES, case


@pytest.fixture(scope="module")
def partitions():
    road, origins, services = case(n_origins=120, spacing_m=3000.0)
    return make_partitions(road, origins, services, MINUTES, pairs_kinds=["france_services"])


@pytest.fixture(scope="module")
def single(partitions, tmp_path_factory):
    folder = tmp_path_factory.mktemp("single")
    return merge_partitions(run_partitions(partitions, workers=1, pairs_dir=folder)), folder
