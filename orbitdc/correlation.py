"""Rank correlation between uncertain parameters: shared factors declared in data, Iman–Conover.

Optimism is correlated in the world: a programme that reaches cheap launch also tends to reach a
high launch cadence; one that builds cheap buses also builds light arrays. Drawing 80 parameters
independently makes the proponents' corner (all of them favourable at once) a probability ~0 by
construction. ``data/correlations.yaml`` declares a few **shared factors** ("launch industry
maturity", "space hardware maturity"), each with **loadings** ``lambda_fi`` on the parameters it
moves (a sourced, ranged number: positive where maturity raises the parameter, negative where it
lowers it). The target rank (Spearman) correlation of two parameters is the one-factor-model sum

    rho_ij = sum_f lambda_fi * lambda_fj      (i != j),   rho_ii = 1,

which is positive semi-definite whenever ``sum_f lambda_fi**2 <= 1`` for every parameter (the
loader checks it): ``C = L L^T + diag(1 - sum_f lambda_fi**2)``.

Iman–Conover (Iman & Conover 1982, "A distribution-free approach to inducing rank correlation
among input variables", Commun. Stat. B 11(3) 311-334)
-------------------------------------------------------------------------------------------
Applied to each block of the Latin hypercube stream (:mod:`orbitdc.uncertainty`) of the correlated
parameters: the block's uniforms are only **re-ordered** (each column keeps exactly its values), so
every marginal and every Latin-hypercube stratum is unchanged. With ``n`` points and ``k``
correlated parameters:

1. van der Waerden scores ``a_i = Phi^-1(i / (n + 1))``; ``M`` (n x k) has in each column a random
   permutation of ``a`` (seeded from (seed, the group's names, block));
2. ``E = corr(M)`` and its Cholesky factor ``F``; ``P`` the Cholesky factor of the target Pearson
   correlation of the scores, ``R = 2 sin(pi C / 6)`` (the Pearson correlation of a bivariate
   normal whose Spearman correlation is ``C``, Pearson 1907);
3. ``T = M F^-T P^T`` has sample correlation exactly ``R``; each column of uniforms is re-ordered
   to the ranks of the matching column of ``T``.

Parameters with no nonzero loading among the drawn ones are not touched, so with every loading 0
the draws are bit for bit those of the independent sampler.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy import stats

from .errors import ArchitectureError, ParameterError
from .parameters import DATA_DIR, _rel, check_sources, load_references, read_document
from .stages import parameter_specs

CORRELATIONS_FILE = DATA_DIR / "correlations.yaml"


class Loading(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float
    low: float | None = None
    high: float | None = None
    source: str | list[str]
    note: str | None = None

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)


class Factor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    loadings: dict[str, Loading]


class _CorrelationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    factors: dict[str, Factor]


def load_factors(path: Path | None = None, check_parameters: bool = True) -> dict[str, dict[str, float]]:
    """{factor: {parameter: loading}} from ``data/correlations.yaml``, validated.

    Refused (ArchitectureError naming the file and the factor/parameter): unknown keys, a loading
    outside [-1, 1] or outside its own [low, high], a dangling source key, an unknown parameter,
    or a parameter whose squared loadings add up to more than 1 (no valid correlation matrix).
    ``check_parameters=False`` skips the check of names against the chain's stages (Monte Carlo
    only uses the loadings of the parameters it draws).
    """
    path = Path(path or CORRELATIONS_FILE)
    file = _rel(path)
    doc = read_document(path, _CorrelationsFile, file)
    refs = load_references()
    specs = parameter_specs()
    out: dict[str, dict[str, float]] = {}
    total: dict[str, float] = {}
    for fname, f in doc.factors.items():
        out[fname] = {}
        for pname, ld in f.loadings.items():
            where = f"{fname}.{pname}"
            if check_parameters and pname not in specs:
                raise ArchitectureError("not a parameter of the chain", file=file, parameter=where)
            check_sources(ld.sources, file, where, refs)
            if not -1.0 <= ld.value <= 1.0:
                raise ArchitectureError(f"loading {ld.value:g} is outside [-1, 1]", file=file, parameter=where)
            lo = ld.low if ld.low is not None else ld.value
            hi = ld.high if ld.high is not None else ld.value
            if not lo <= ld.value <= hi:
                raise ArchitectureError(f"loading {ld.value:g} lies outside [{lo:g}, {hi:g}]", file=file, parameter=where)
            out[fname][pname] = float(ld.value)
            total[pname] = total.get(pname, 0.0) + ld.value ** 2
    for pname, s in total.items():
        if s > 1.0 + 1e-12:
            raise ArchitectureError(f"squared loadings add up to {s:g} > 1: no valid correlation", file=file, parameter=pname)
    return out


def rank_correlation(names: Sequence[str], factors: Mapping[str, Mapping[str, float]]) -> np.ndarray:
    """Target Spearman correlation matrix of ``names`` from factor loadings (one-factor model sum)."""
    k = len(names)
    lam = np.zeros((k, len(factors)))
    for j, f in enumerate(factors.values()):
        for i, n in enumerate(names):
            lam[i, j] = f.get(n, 0.0)
    c = lam @ lam.T
    np.fill_diagonal(c, 1.0)
    return c


def resolve(correlation: Any, drawn: Sequence[str]) -> tuple[list[str], np.ndarray] | None:
    """The correlated group among ``drawn``: (names, target Spearman matrix), or None.

    ``correlation`` is ``"data"`` (the factors of ``data/correlations.yaml``), ``"none"``
    (independent draws), a mapping ``{factor: {parameter: loading}}``, or a mapping
    ``{(a, b): rho}`` of pairwise Spearman correlations.
    """
    if correlation is None or (isinstance(correlation, str) and correlation == "none"):
        return None
    if isinstance(correlation, str):
        if correlation != "data":
            raise ParameterError("correlation", f"'{correlation}' is not one of data, none (or a mapping)")
        correlation = load_factors(check_parameters=False)
    if not isinstance(correlation, Mapping):
        raise ParameterError("correlation", "expected 'data', 'none' or a mapping")
    drawn = list(drawn)
    if correlation and all(isinstance(k, tuple) for k in correlation):
        pairs = {k: float(v) for k, v in correlation.items() if k[0] in drawn and k[1] in drawn and float(v) != 0.0}
        names = sorted({n for k in pairs for n in k}, key=drawn.index)
        if not names:
            return None
        c = np.eye(len(names))
        for (a, b), v in pairs.items():
            if not -1.0 < v < 1.0:
                raise ParameterError("correlation", f"rank correlation of {a} and {b} must lie in (-1, 1), got {v:g}")
            i, j = names.index(a), names.index(b)
            c[i, j] = c[j, i] = v
    else:
        factors = {f: {p: float(v) for p, v in ld.items() if p in drawn and float(v) != 0.0} for f, ld in correlation.items()}
        # a parameter is correlated only if it shares a factor with another drawn parameter
        names = [n for n in drawn if any(n in ld and len(ld) > 1 for ld in factors.values())]
        if not names:
            return None
        c = rank_correlation(names, factors)
    if np.all(c == np.eye(len(names))):
        return None
    if np.min(np.linalg.eigvalsh(c)) <= 0:
        raise ParameterError("correlation", "the rank correlation matrix is not positive definite")
    return names, c


def group_key(names: Sequence[str]) -> int:
    """A stable 64-bit key for a group of parameter names (seeds the score permutations)."""
    return int.from_bytes(hashlib.sha256("|".join(names).encode("utf-8")).digest()[:8], "little")


def iman_conover(u: np.ndarray, spearman: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Re-order each column of ``u`` (n x k) so that its rank correlation is ``spearman``.

    Columns keep their values exactly (a permutation each). Needs ``n > k + 1``; a smaller block (or
    a tiny one whose random score permutations happen to be collinear) is returned unchanged: too
    few points to carry a correlation.
    """
    n, k = u.shape
    if n <= k + 1:
        return u
    scores = _scores(n)
    m = np.column_stack([rng.permutation(scores) for _ in range(k)])
    e = np.corrcoef(m, rowvar=False)
    try:
        f = np.linalg.cholesky(e)
    except np.linalg.LinAlgError:  # a tiny block whose score permutations are collinear
        return u
    target = 2.0 * np.sin(np.pi * spearman / 6.0)
    np.fill_diagonal(target, 1.0)
    p = np.linalg.cholesky(target)
    t = m @ np.linalg.inv(f).T @ p.T
    out = np.empty_like(u)
    for j in range(k):  # k columns (a handful of parameters), not points
        # the point of rank r in t's column takes the r-th smallest uniform: scattering the sorted
        # column through t's (stable) order is sort(u)[ranks] with ranks = argsort(argsort(t)),
        # one sort fewer (the same numbers)
        out[_stable_order(t[:, j]), j] = np.sort(u[:, j])
    return out


def _stable_order(x: np.ndarray) -> np.ndarray:
    """``np.argsort(x, kind="stable")``, faster: without ties every sort gives that one order, so
    numpy's default (vectorised, ~5x faster) sort is used and checked for ties; only a column with
    a tie (practically never: a combination of continuous scores) takes the stable sort."""
    order = np.argsort(x)
    ordered = x[order]
    if np.any(ordered[1:] == ordered[:-1]) or np.isnan(ordered[-1:]).any():
        return np.argsort(x, kind="stable")
    return order


@functools.lru_cache(maxsize=8)
def _scores(n: int) -> np.ndarray:
    """van der Waerden scores ``Phi^-1(i / (n + 1))``, i = 1..n (the same for every block of n
    points: computed once; read-only so that no caller can change the cached copy)."""
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1.0))
    scores.flags.writeable = False
    return scores
