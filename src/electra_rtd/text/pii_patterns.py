"""Regular expressions for personal and variable data in Korean short messages.

Kept apart from the masking logic so that normalisation can reuse the URL and e-mail patterns to
leave links untouched. The patterns expect text folded with `fold_same_length` (ASCII digits and
letters); each is anchored so that it never starts or ends inside a longer number or word.
"""

from __future__ import annotations

import re

# Top-level domains seen in Korean spam links (shorteners: bit.ly, han.gl, vo.la, iii.im, naver.me)
# plus common generic ones; a bare "word.word" needs one of these to count as a link.
_TLDS = (
    "com|net|org|kr|co|io|ly|gl|la|me|im|in|be|bz|us|gd|gy|pe|lk|lc|ng|sg|gg|pw|to|cc|tv|cn|jp|vn"
    "|ws|sh|ai|eu|uk|ru|hk|tw|ph|th|link|xyz|site|shop|top|info|biz|app|dev|icu|club|vip|win|bet"
    "|today|world|group|media|email|wtf|ooo|cash|plus|live|online|store|fun|pro|asia|page|edu"
)
_URL_CHAR = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
# Korean spam registers Hangul domains ("혜택받기.kr"); allowed only before the usual TLDs, since
# a Hangul word is far more often just a word.
_HANGUL_LABEL = r"[A-Za-z0-9가-힣](?:[A-Za-z0-9가-힣\-]*[A-Za-z0-9가-힣])?"
_PATH = rf"(?:[/:?#]{_URL_CHAR}*)?"
# A TLD ends before a letter or digit, except a capital glued to a lower-case TLD ("site.comKEY").
_TLD_END = r"(?!(?-i:[a-z0-9])|(?<=(?-i:[A-Z]))(?-i:[A-Z]))"
URL = re.compile(
    rf"""
    (?:https?|hxxps?|ftp):/{{1,2}}(?:{_HANGUL_LABEL}\.)+[A-Za-z]{{2,}}{_TLD_END}{_PATH}
    | (?:https?|hxxps?|ftp)://{_URL_CHAR}+
    | (?<![A-Za-z0-9@])(?:{_LABEL}\.)+(?:{_TLDS}){_TLD_END}{_PATH}
    """,
    re.IGNORECASE | re.VERBOSE,
)
_HANGUL_TLD = re.compile(r"[가-힣]\.(?:kr|com|net|org)", re.IGNORECASE)
HANGUL_DOMAIN = re.compile(
    rf"(?<![A-Za-z0-9가-힣@\-])(?:{_HANGUL_LABEL}\.)+(?:kr|com|net|org){_TLD_END}{_PATH}",
    re.IGNORECASE,
)
# Punctuation that ends the sentence around a link rather than the link itself.
_URL_TRAILER = ".,!?:;'\")]"

EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Messenger ids ("텔레그램 @abc123", often glued: "TELEGRAM@abc123"); e-mail addresses match first.
HANDLE = re.compile(r"@[A-Za-z0-9_]{3,32}(?![A-Za-z0-9_])")

_MOBILE_OR_AREA = r"(?:1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70|80|50[2-8]?|60)"
# Mobile numbers are also written with junk between the groups ("010_1234_5678", "010~1234~5678").
_MOBILE_SEPARATOR = r"[\s.\-)_~*/,ㅡ\[\]?]"
PHONE = re.compile(
    rf"""
    (?<![\d])(?:
        01[016789]{_MOBILE_SEPARATOR}{{0,3}}\d{{3,4}}{_MOBILE_SEPARATOR}{{0,3}}\d{{4}}
      | (?:\+|00)\s?82[\s.\-]?(?:\(0\))?0?{_MOBILE_OR_AREA}[\s.\-)]{{0,3}}\d{{3,4}}[\s.\-]{{0,3}}\d{{4}}
      | 0{_MOBILE_OR_AREA}[\s.\-)]{{0,3}}\d{{3,4}}[\s.\-]{{0,3}}\d{{4}}
      | 1[568]\d{{2}}[\s.\-]\d{{4}}
      | (?!19|20)[2-9]\d{{3}}-\d{{4}}(?!-|\s?[원만억천%])
    )(?!\d)
    """,
    re.VERBOSE,
)
CARD = re.compile(
    r"(?<![\d*])(?:\d{4}[\s\-][\d*]{4}[\s\-][\d*]{4}[\s\-][\d*]{4}|\d{4}-\d{6}-\d{5}|\d{16})(?![\d*])"
)
ACCOUNT = re.compile(
    r"""
    (?<![\d\-*])(?P<grouped>[\d*]{2,6}-[\d*]{2,8}-[\d*]{2,8}(?:-[\d*]{1,3})?)(?![\d\-*])
    | 계좌(?:번호)?[\s:]{0,3}(?P<value>\d{10,14})(?!\d)
    """,
    re.VERBOSE,
)
# Money: "1,000원", "50만원", "3억", "3억 5천만원", "$100"; a bare "70만" followed by a counter
# ("70만명") is a count, not money.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_BIG_UNIT = r"(?:억|천만|백만|십만|만|천|백)"
_CURRENCY = r"(?:원|달러|엔|위안|유로|USD|KRW|usd|krw)"
_COUNTER = (
    r"(?:명|개|건|회|번|분|장|권|마리|대|평|세|살|배|등|위|표|점|뷰|구독|년|시간|주|일|층|부|km|cc)"
)
AMOUNT = re.compile(
    rf"""
    (?<![0-9.,])(?:
        [₩$]\s?(?:{_NUMBER})(?:\s?{_BIG_UNIT})*
      | (?:{_NUMBER})\s?{_BIG_UNIT}(?:\s?(?:{_NUMBER})\s?{_BIG_UNIT})*\s?{_CURRENCY}
      | (?:{_NUMBER})\s?{_CURRENCY}
      | (?:{_NUMBER})\s?{_BIG_UNIT}(?:\s?(?:{_NUMBER})\s?{_BIG_UNIT})*(?!\s?{_COUNTER})(?![A-Za-z0-9])
    )
    """,
    re.VERBOSE,
)
PERCENT = re.compile(r"(?<![0-9.,])[+\-]?\d+(?:\.\d+)?\s?%p?")

_WEEKDAY = r"(?:\s?\([월화수목금토일]\)|\s?[월화수목금토일]요일)?"
DATE = re.compile(
    rf"""
    (?<![\d.])(?:
        (?:19|20)?\d{{2}}\s?[./\-]\s?(?:0?[1-9]|1[0-2])\s?[./\-]\s?(?:0?[1-9]|[12]\d|3[01])(?![\d])[.일]?
      | (?:(?:19|20)?\d{{2}}\s?년\s?)?(?:0?[1-9]|1[0-2])\s?월\s?(?:0?[1-9]|[12]\d|3[01])\s?일
      | (?:19|20)\d{{2}}\s?년\s?(?:0?[1-9]|1[0-2])\s?월
      | (?<![/A-Za-z0-9])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?![\d/])
    ){_WEEKDAY}
    """,
    re.VERBOSE,
)
# A bare "3시" stays ("3시에 만나"): only times with a part of day, minutes or a clock format count.
TIME = re.compile(
    r"""
    (?:오전|오후|새벽|아침|저녁|밤|낮)\s?\d{1,2}\s?시(?:\s?\d{1,2}\s?분|\s?반)?
    | (?<!\d)\d{1,2}\s?시\s?\d{1,2}\s?분
    | (?:(?:AM|PM|am|pm)\s?)?(?<![\d:])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\d:])(?:\s?(?:AM|PM|am|pm))?
    """,
    re.VERBOSE,
)


def _spaced(word: str) -> str:
    """A keyword that may be written with spaces between its syllables (비 밀 번 호)."""
    return r"\s?".join(re.escape(char) for char in word)


_CODE_KEYWORDS = "|".join(
    [
        _spaced(word)
        for word in ("인증번호", "승인번호", "확인번호", "비밀번호", "입장번호", "참여번호")
    ]
    + [
        _spaced(word)
        for word in ("가입번호", "회원번호", "주문번호", "송장번호", "예약번호", "접수번호")
    ]
    + [_spaced(word) for word in ("코드", "비번", "암호", "쿠폰", "추천인", "입장")]
    + ["(?<![A-Za-z])(?:code|pw|pass(?:word)?|otp|pin)(?![A-Za-z])"]
)
# The value after a code keyword: at least one digit, so "코드 확인" or "code: VIP" stay, and no
# counter after it ("입장 100명" is a count).
CODE = re.compile(
    rf"""
    (?:{_CODE_KEYWORDS})
    (?:\s?(?:[:=\-\[(]|[은는이](?![가-힣])))*\s?
    (?P<value>\d(?:\ \d){{2,9}}|(?=[A-Za-z0-9*\-]*\d)[A-Za-z0-9][A-Za-z0-9*\-]{{1,19}})
    (?![A-Za-z0-9])(?!\s?(?:{_COUNTER}|원|만|억|%|시))
    """,
    re.IGNORECASE | re.VERBOSE,
)

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류유홍전고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변염여추도석설마길연위표명기반왕금옥육인맹제모탁국"
# Surname-initial words that precede an honorific or title but name a role or a time, not a person.
_NOT_NAMES = (
    "조합원|신청인|이용권|관리인|방문객|정회원|유튜버|이번주|이번달|전문가|한국인|주식회|고객센"
)
_TITLES = "고객님|회원님|님|씨|팀장|과장|부장|차장|대리|실장|이사|대표|사원|주임|본부장|지점장|센터장|매니저|원장|교수|기자|의원"
# A three-syllable Korean name before an honorific, a job title, a letter's sign-off or a
# self-introduction ("김동환 입니다"); a last
# syllable 자 is skipped because "신청자님", "이용자님" address roles far more often than people.
NAME_BEFORE_TITLE = re.compile(
    rf"(?<![가-힣])(?!{_NOT_NAMES})[{_SURNAMES}][가-힣]{{2}}(?<!자)"
    rf"(?=\s?(?:{_TITLES})|\s?(?:올림|드림|배상)(?![가-힣])|\s?(?:입니다|이에요|예요))"
)
# "담당자: 홍길동", "지점장 : 홍길동"; the colon is required so that "담당 부서" stays.
NAME_AFTER_LABEL = re.compile(
    rf"(?:담당자|담당|상담원|상담사|예금주|수취인|고객명|성명|이름|{_TITLES})\s?[:：]\s?"
    r"(?P<value>[가-힣]{2,4})(?![가-힣])"
)
# Messenger ids after their label ("카톡 ID secretuser", "ID:secretuser", "카카오톡 아이디 : abc",
# "텔레그램 abc123"); an id written with "@" is a HANDLE already. Korean words ending in a
# messenger's name ("온라인") are not labels.
_MESSENGER = (
    r"카카오톡|카톡|카카오|텔레그램|텔레|텔그|라인|위챗|(?:kakao(?:talk)?|telegram|line)(?![a-z])"
)
_ID_WORD = r"(?:(?<![a-z])id(?![a-z])|아이디|아디)"
MESSENGER_ID = re.compile(
    rf"""
    (?:(?<![가-힣a-z])(?:{_MESSENGER})\s?{_ID_WORD}?|{_ID_WORD})
    \s?[:：=]?\s?@?\s?
    (?P<value>[a-z0-9][a-z0-9_.\-]{{2,31}})(?![a-z0-9_])
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Digits written apart to dodge filters ("0 1 0 - 1 2 3 4 - 5 6 7 8", "0.1.0.1.2.3.4"): eight or
# more digits with up to three spaces, dots, hyphens or underscores between any two.
SPACED_DIGITS = re.compile(r"(?<![\dA-Za-z])\d(?:[\s.\-_·]{0,3}\d){7,}(?![\dA-Za-z])")
# Long bare numbers (tracking numbers, stock codes, member ids) that no other rule claimed.
NUMBER = re.compile(
    r"(?<![\dA-Za-z.,])(?:\d{2,3}[.,]\d{3}|\d{1,3}(?:[.,]\d{3}){2,}|\d{5,})(?![\dA-Za-z]|[.,]\d)"
)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Spans of links (overlapping finds merged), without sentence punctuation glued to their end."""
    matches = list(URL.finditer(text))
    if _HANGUL_TLD.search(text):
        # Scanning every Hangul word for a domain is slow; only texts with one need it.
        matches += HANGUL_DOMAIN.finditer(text)
    spans: list[tuple[int, int]] = []
    for match in sorted(matches, key=lambda match: match.start()):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAILER:
            end -= 1
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans
