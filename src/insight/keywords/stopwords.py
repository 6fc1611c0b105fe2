"""Stop-word lists for English, Portuguese and Chinese, plus optional e-commerce filler words.

Keywords are only useful when function words ("the", "que", "的") are gone, so each language the
workbench sees often gets a list here. English starts from scikit-learn's list, minus the words
in it that carry meaning in product reviews ("thin", "fire", "bottom", "system"...), plus the
apostrophe-less contractions reviewers type ("dont", "im"). Portuguese is the Snowball list with
the informal spellings common in Brazilian reviews ("nao", "pra", "vc"). Chinese is a compact list
of particles, pronouns, conjunctions and adverbs that jieba emits as separate tokens.

``GENERIC_WORDS`` are words every e-commerce review uses ("product", "商品", "good", "不错") that
drown the signal, above all in a single-group analysis; they are dropped only when asked for.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# scikit-learn's list includes words that name product properties or parts; keep those as keywords.
_EN_KEEP = {
    "bill", "bottom", "computer", "cry", "describe", "detail", "empty", "fill", "fire", "front", "full",
    "interest", "mill", "move", "name", "serious", "side", "system", "thick", "thin", "top",
}  # fmt: skip

_EN_EXTRA = """
    aren arent couldn didn didnt doesn doesnt don dont hadn hadnt hasn haven havent im isn isnt ive
    let ll mustn shan shouldn shouldnt thats theres theyre ve wasn wasnt weren werent whats won wont
    wouldn wouldnt youre youve yall just really got gets getting did does doing said say says like
    lot lots bit way make makes going gonna want wanted quite thing things ok okay yes oh
"""

_PT = """
    de da do das dos em na no nas nos num numa nuns numas um uma uns umas ao aos à às pelo pela pelos
    pelas para pra pro pras pros por com sem sob sobre entre até ate desde contra após apos perante
    que quê e é o a os as se ou mas nem como quando onde porque porquê pois pq então entao logo
    também tambem já ja ainda só so mais menos muito muita muitos muitas pouco pouca tão tao tanto
    tanta bem lá la aqui aí ai ali cá agora sempre nunca depois antes
    não nao sim né ne tá ta
    eu tu ele ela nós nos vós vos eles elas você voce vocês voces vc vcs me te lhe lhes mim ti si
    comigo contigo conosco
    meu minha meus minhas teu tua teus tuas seu sua seus suas nosso nossa nossos nossas dele dela
    deles delas
    este esta estes estas esse essa esses essas aquele aquela aqueles aquelas isto isso aquilo
    nesse nessa neste nesta nisso nisto daquele daquela disso disto desse dessa deste desta
    qual quais quem cujo cuja o que algum alguma alguns algumas nenhum nenhuma todo toda todos todas
    tudo nada outro outra outros outras mesmo mesma mesmos mesmas cada qualquer vários varias
    ser sou é somos são sao era eram fui foi fomos foram fora seja sejam fosse fossem será sera
    serão seria seriam sendo sido
    estar estou está esta estamos estão estao estava estavam estive esteve estiveram esteja estejam
    estivesse estiver estando
    ter tenho tem têm temos tinha tinham tive teve tivemos tiveram tenha tenham tivesse tiver terá
    teria tendo tido
    haver há ha houve havia haja hei
    vai vou vão vao ir fazer faz fiz fez
"""

_ZH = """
    的 了 是 我 也 很 就 都 还 在 有 和 这 那 个 吧 啊 呢 吗 嘛 呀 哦 哈 啦 么 之 其 与 及 或 而 但 又 才 再
    着 过 得 地 被 把 给 让 对 从 向 于 以 为 因 所 如 若 则 即 并 且 等 等等 一 不 没 能 会 要 可 去 来 说
    上 下 中 里 到 你 他 她 它 们 您 咱 啥 哪 谁 吧 呗 哟 嗯 噢 喔 额 呃 哇 嘿 滴 比 更 最 太 挺 蛮 真 超
    我们 你们 他们 她们 它们 自己 大家 人家 别人
    这个 那个 这些 那些 这样 那样 这么 那么 这里 那里 这儿 那儿 这种 那种 这次 那次 这是 那是
    什么 怎么 怎样 为什么 为何 如何 多少 哪里 哪个
    一个 一些 一下 一点 一点儿 一样 一直 一般 一定 一次 有点 有些 有的 一起 个人
    没有 不是 就是 还是 但是 可是 只是 而是 因为 所以 如果 虽然 虽说 然后 而且 并且 或者 还有 以及
    不过 然而 于是 其实 其他 其它 另外 此外 总之 只要 只有 除了 以后 以前 之后 之前 时候 现在 已经
    曾经 正在 可以 可能 应该 需要 非常 比较 特别 相当 十分 确实 真的 真是 感觉 觉得 认为 知道 还是
    还算 也是 都是 就是 还有 吧 的话 而已 罢了 起来 出来 下来 上来 过来 一下子 啊啊 哈哈 哈哈哈 呵呵
"""

# Words shared by nearly every review on a shop, and the stock praise that fills short reviews:
# optional extra stop-words (``drop_generic=True``), for when they drown what a group is about.
_GENERIC = {
    "en": """product products item items buy bought buying purchase purchased order ordered thing things
             seller amazon review star stars good great nice excellent love recommend""",
    "pt": """produto produtos item itens compra compras comprei comprar compramos pedido pedidos loja
             site recebi bom boa ótimo otimo ótima otima excelente recomendo""",
    "zh": """商品 东西 产品 宝贝 购买 买 买的 收到 卖家 店家 京东 淘宝 评价 好评 好 不错 挺好 满意 喜欢 用""",
}

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset((set(ENGLISH_STOP_WORDS) - _EN_KEEP) | set(_EN_EXTRA.split())),
    "pt": frozenset(_PT.split()),
    "zh": frozenset(_ZH.split()),
}
GENERIC_WORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in _GENERIC.items()}


def stop_words(language: str, *, drop_generic: bool = False) -> frozenset[str]:
    """Stop-words of one language (``en``, ``pt``, ``zh``; empty for others), with generic words if asked."""
    words = STOP_WORDS.get(language, frozenset())
    return words | GENERIC_WORDS.get(language, frozenset()) if drop_generic else words
