"""Which keywords may name something: no numbers or units, no review boilerplate, nouns for names.

Three kinds of words make keyword lists useless to a merchant even when they are statistically
distinctive of a group:

* **quantities**: "50ml", "cm", "size 38", "一双": the variants in product titles;
* **review boilerplate**: words reviews of *any* shop use, whatever they are about: time ("weeks
  ago", "years", "一段时间"), filler ("feels", "use", "value", "东西", "感觉"), verdicts
  ("brilliant", "物超所值"), and the stock claims of product listings ("warranty", "包邮");
* **review aspects**: "quality", "delivery", "price", "物流", "性价比": what reviews of any shop
  discuss. They are good names for a review *topic* (a topic about late parcels is "delivery") but
  say nothing about what a segment of users is into, or about what sets this shop apart.

The lists here are small and about the genre (product reviews in a language), not about one shop.
What is common to every group of *this* shop is demoted by the callers from the data (c-TF-IDF
across groups, a group's contrast with the rest, the language's background frequency).

``term_fitness`` turns this into one number per keyword and purpose: 0 (never show it), 0.5
(adjectives, activities: shown when no noun does better) or 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Literal

import numpy as np
import scipy.sparse as sp

from insight.keywords.pos import chinese_tags, is_content_word, noun_weight
from insight.keywords.tokenize import is_han, plain_text

Purpose = Literal["interest", "topic", "shop", "keyword", "any"]
"""interest: segment and user names; topic: review topic names; shop: keywords of all reviews;
keyword: keywords of other groupings (category, sentiment, item), where only quantities and boilerplate go;
any: the last resort of a name, where only quantities go."""

_UNITS = """
    mm cm dm m km in inch inches ft foot feet yd yard yards mi mile miles
    mg g gr gram grams kg kilo kilos lb lbs pound pounds oz ounce ounces ct
    ml cl dl l ltr litre litres liter liters gal gallon gallons floz
    mah ah wh kwh w kw watt watts v volt volts hz khz mhz ghz db dpi ppi fps rpm
    kb mb gb tb mbps gbps bit bits px
    pc pcs pk pair pairs qty x
    percent pct
    毫米 厘米 公分 分米 米 千米 公里 英寸 寸 尺 码 英尺
    毫克 克 千克 公斤 斤 两 吨 毫升 升 加仑
    瓦 千瓦 伏 毫安 毫安时 赫兹 兆 度 元 块 块钱 毛 分钱
    个 件 只 双 对 套 包 盒 瓶 罐 袋 箱 片 支 条 张 本 台 部 把 份 颗 粒 斤装 装
"""
_QUANTITY = re.compile(r"^[\d.,x×/\-–+~]*\d[\d.,x×/\-–+~]*[a-z%\u00b0\"']{0,4}$")
_SIZE = r"(?:\d?x{0,3}[sl]|m|\d?xl)"
_SIZES = re.compile(rf"^{_SIZE}(?:[\-–/~]{_SIZE})?$")  # clothing sizes: "xs", "m-3xl", "s/m"

# Words reviews of any shop use whatever they are about: time, quantity of use, filler and verdicts.
_BOILERPLATE = {
    "en": """
        day days week weeks weekend month months year years ago hour hours minute minutes second seconds
        time times today yesterday tonight daily weekly monthly yearly since later first second third last
        couple half end start beginning moment while
        feel feels felt feeling use used uses using usage value worth money thing things stuff lot lots bit
        way one ones kind sort star stars review reviews reviewer product products item items purchase
        purchased purchases purchasing order ordered orders ordering buy bought buying recommend recommended
        love loved like liked far overall experience expectation expectations job pretty definitely
        absolutely highly totally completely literally actually honestly basically exactly probably
        issue issues problem problems reason everything anything nothing something fine okay ok perfect
        perfectly happy pleased disappointed unfortunately sadly expected says said going went back
        excellent great good nice awesome amazing terrible bad poor better best worse worst brilliant lovely
        wonderful fantastic superb beautiful gorgeous decent average mediocre awful horrible rubbish useless
        impressed satisfied glad holding held holds downside feelings little easy easily condition
        warranty guarantee guaranteed satisfaction free stock stocks certified standards
    """,
    "pt": """
        dia dias semana semanas mes mês meses ano anos hora horas tempo vez vezes hoje ontem depois
        produto produtos item itens coisa coisas compra compras comprei comprar comprado uso usar usei
        valor dinheiro vale recomendo recomendar gostei adorei amei bom boa ótimo ótima otimo otima
        excelente perfeito perfeita problema problemas tudo nada experiência expectativa lindo linda
        maravilhoso maravilhosa garantia grátis gratis estoque
    """,
    "zh": """
        时间 时候 一段时间 天 一天 几天 星期 几个星期 周 一周 月 个月 一个月 年 一年 几年 好几年 今天 昨天
        以后 之后 以前 之前 刚刚 后来 现在 目前 一直 第一次 一次 次 第二次 第三次
        感觉 觉得 使用 用 用过 用了 东西 宝贝 商品 产品 评价 好评 差评 中评 五星 星 价位 值得 推荐
        购买 回购 满意 失望 问题 情况 样子 方面 地方 整体 总体 总之 还行 一般 不错 很好 非常好
        还会 再也不会 超出预期 超出 预期 物超所值 美中不足 中规中矩 别买 不值 不推荐 入手 一致 描述 一看 基本
        凑合 一般般
        质保 保修 包邮 免费 赠品 赠送 现货 官方 旗舰店 无理由 退换 保证 承诺
    """,
}
# What reviews of any shop discuss: fine names for a review topic, not for an interest or a shop.
_ASPECTS = {
    "en": """
        quality price prices pricing delivery deliver delivered shipping shipped arrived arrival
        packaging package packaged parcel service customer seller refund return returned returns
        size sizes sizing fit fits fitting condition cheap expensive cost costs deal money
    """,
    "pt": """
        qualidade preço preco preços entrega entregue prazo frete chegou chegada embalagem pedido
        atendimento vendedor loja devolução devolucao troca tamanho custo
    """,
    "zh": """
        质量 品质 价格 价钱 性价比 便宜 物流 快递 发货 送货 到货 包装 服务 客服 卖家 商家 店家 做工
        尺码 大小 退货 退款 速度 正品
    """,
}
UNITS = frozenset(_UNITS.split())
BOILERPLATE = {lang: frozenset(words.split()) for lang, words in _BOILERPLATE.items()}
ASPECTS = {lang: frozenset(words.split()) for lang, words in _ASPECTS.items()}
_LATIN_BOILERPLATE = BOILERPLATE["en"] | BOILERPLATE["pt"]
_LATIN_ASPECTS = ASPECTS["en"] | ASPECTS["pt"]


@cache
def words_of(term: str) -> tuple[str, ...]:
    """The words of a keyword: split at spaces, and Chinese runs cut by jieba ("跑鞋鞋底" -> 跑鞋, 鞋底)."""
    out: list[str] = []
    for part in term.split():
        if any(is_han(c) for c in part):
            out.extend(w for w, _ in chinese_tags(part))
        else:
            out.append(part.lower())
    return tuple(out)


def is_quantity(word: str) -> bool:
    """Whether one word is a number, a unit, a number with its unit or a size ("50ml", "38–46", "cm", "xl", "毫升")."""
    word = word.lower()
    return word in UNITS or bool(_QUANTITY.match(word) or _SIZES.match(word))


def is_boilerplate(word: str, *, aspects: bool = False) -> bool:
    """Whether one word is review boilerplate (in any language we list), or with ``aspects`` a review aspect."""
    if any(is_han(c) for c in word):
        return word in BOILERPLATE["zh"] or (aspects and word in ASPECTS["zh"])
    word = word.lower()
    return word in _LATIN_BOILERPLATE or (aspects and word in _LATIN_ASPECTS)


@cache
def term_fitness(term: str, purpose: Purpose = "interest") -> float:
    """0 (never show), 0.5 (adjective or activity) or 1: how fit a keyword is to name a group for ``purpose``.

    Every purpose drops quantities and boilerplate; ``interest`` and ``shop`` also drop review aspects;
    ``interest`` and ``topic`` want nouns (:func:`insight.keywords.pos.noun_weight`); ``shop`` and
    ``keyword`` want content words (no adverbs, numerals or time words), ``shop`` halving non-nouns.
    """
    words = words_of(term)
    if not words or any(is_quantity(w) for w in words):
        return 0.0
    if purpose == "any":
        return 1.0
    if any(is_boilerplate(w, aspects=purpose in ("interest", "shop")) for w in words):
        return 0.0
    if purpose in ("interest", "topic"):
        return noun_weight(term)
    if not is_content_word(term):
        return 0.0
    # Keywords of all reviews lean to nouns (what the shop sells); other groupings take any content word.
    return max(noun_weight(term), 0.5) if purpose == "shop" else 1.0


def fitness(terms: Iterable[str], purpose: Purpose = "interest") -> np.ndarray:
    """(n,) float64 :func:`term_fitness` of each term."""
    return np.array([term_fitness(str(t), purpose) for t in terms], dtype=np.float64)


def is_empty_label(label: str) -> bool:
    """Whether a label ("a · b · c") is made only of numbers, units or boilerplate (the truth bench's check)."""
    parts = [p.strip() for p in re.split(r"[·,/]", label) if p.strip()]
    return bool(parts) and all(
        all(is_quantity(w) or is_boilerplate(w) for w in words_of(p)) or not words_of(p) for p in parts
    )


def _stem(word: str) -> str:
    """A word less a common English ending ("leaking", "leaks", "leaked" -> "leak"), for telling repeats apart."""
    for ending in ("ing", "ed", "es", "s"):
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def _same_stem(a: str, b: str) -> bool:
    """Whether two stemmed words are one ("shoe"/"shoe", "dress"/"dress", "leak"/"leak", "colour"/"colours")."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_.startswith(short) and len(long_) - len(short) <= 2 and (len(short) > 2 or short == long_)


@lru_cache(maxsize=500_000)
def _stems_of(term: str) -> tuple[str, ...]:
    """The stems of a keyword's words, worked out once per keyword (checked against many others)."""
    return tuple(_stem(w) for w in words_of(term))


@lru_cache(maxsize=200_000)  # asked for the same pairs of popular terms user after user
def covers(better: str, term: str) -> bool:
    """Whether every word of ``term`` is a word of ``better`` ("running shoes" covers "shoes", not "trail shoes").

    Words are one up to an ending ("shoe"/"shoes", "dress"/"dresses", "leaks"/"leaking").
    """
    stems = _stems_of(better)
    return all(any(_same_stem(x, y) for y in stems) for x in _stems_of(term))


class KeptTerms:
    """A group's keywords kept so far, asked whether a candidate's words all are in one of them (:func:`covers`).

    A kept term can only cover a candidate if one of its words opens like the candidate's first
    word (a shared stem shares its first three letters), so a candidate is checked against those
    alone: checking every kept term of 50,000 items took 17 s.
    """

    def __init__(self):
        self._count = 0
        self._by_opening: dict[str, list[str]] = {}

    def covered(self, term: str) -> bool:
        """Whether some kept term covers ``term``."""
        stems = _stems_of(term)
        if not stems:  # no word: covered by anything
            return self._count > 0
        return any(covers(better, term) for better in self._by_opening.get(stems[0][:3], ()))

    def add(self, term: str) -> None:
        """Keep ``term``."""
        self._count += 1
        for opening in {stem[:3] for stem in _stems_of(term)}:
            self._by_opening.setdefault(opening, []).append(term)


@lru_cache(maxsize=200_000)
def overlaps(a: str, b: str) -> bool:
    """Whether two keywords share a word ("running shoes" and "shoes", "扎实用料" and "用料")."""
    return any(_same_stem(x, y) for x in _stems_of(a) for y in _stems_of(b))


_JOINER = re.compile(r"(?:'s)?[\s\-]+")  # what may stand between two words of a phrase as written


def phrase_checker(texts: Sequence[str], doc_terms: sp.spmatrix, vocabulary: np.ndarray, *, tries: int = 20):
    """A function column -> whether that keyword is written as such in at least one text that uses it.

    Keyword bigrams are made after stop-words are dropped, so "The size is spot on" yields "size
    spot" and "the connection is rock solid" "connection rock": phrases no one wrote. A phrase
    counts when one of the first ``tries`` texts using it (rows of ``doc_terms``, texts x terms)
    holds its words next to each other (a space, a hyphen or a possessive between them; Chinese
    words directly). Single words always count. Texts are searched as plain strings, each prepared
    once: a regular expression compiled per phrase cost seconds on 50,000 products' keywords.
    """
    columns, texts = sp.csc_matrix(doc_terms), list(texts)  # positions, whatever index a Series had

    @cache  # by text, not by row: a shop's reviews repeat ("great dress", "好评") by the thousand
    def plain_of(text: str) -> str:
        return plain_text(text)

    @cache
    def joined_of(text: str) -> str:
        return _JOINER.sub(" ", plain_of(text))

    def plain(row: int) -> str:
        return plain_of(texts[row])

    def joined(row: int) -> str:
        return joined_of(texts[row])

    @cache
    def attested(col: int) -> bool:
        term = str(vocabulary[col])
        parts = term.split()
        han = any(is_han(c) for c in term)
        if len(parts) == 1 and not han:
            return True
        rows = columns.indices[columns.indptr[col] : columns.indptr[col + 1]][:tries].tolist()
        if han:
            return any(term in plain(r) for r in rows)
        phrase = _JOINER.sub(" ", term)  # "a-line dress" is looked for as the texts are joined: "a line dress"
        return any(_holds_words(joined(r), phrase) for r in rows)

    return attested


def _holds_words(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` with no letter, digit or underscore right before or after it."""
    start = text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        if (start == 0 or not _word_char(text[start - 1])) and (end == len(text) or not _word_char(text[end])):
            return True
        start = text.find(phrase, start + 1)
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
