"""Which words are keywords, and how spammers misspell them.

Labelling policy (a tagger learns from it, so it must hold in every template):
- keywords are the content words that say what a message is about: brands and services from the
  keyword vocabularies, products, and the topic nouns listed here (택배, 대출, 카지노, 분양 ...);
- never keywords: amounts, codes, dates, times, URLs, phone numbers, people's names, places,
  greetings, carrier boilerplate, and the invented names of spam senders, gambling sites, clinics
  and shops (a reader cannot tell from them what a message is about).

Template text is never labelled by hand: every literal occurrence of a word from `TOPIC_KEYWORDS`
(or of a keyword vocabulary value) becomes a keyword when the template is compiled, so the same
word is a keyword everywhere. Keep single-syllable words out: they hide inside unrelated words.
"""

from __future__ import annotations

# fmt: off
TOPIC_KEYWORDS: tuple[str, ...] = (
    # parcels
    "택배", "배송", "무료배송", "반품", "반송", "미수취", "통관", "관세", "해외직구", "EMS",
    # cards and banks
    "카드", "체크카드", "신용카드", "승인", "결제", "해외결제", "할부", "입금", "출금", "이체",
    "자동이체", "정기예금", "적금", "금융사기", "지급정지", "대포통장",
    # verification
    "인증번호", "인증코드", "본인확인",
    # appointments and health
    "예약", "진료", "건강검진", "스케일링", "치과", "내과", "피부과", "정형외과", "안과", "한의원",
    "소아과", "미용실", "병원",
    # telecom
    "요금", "요금제", "청구서", "납부", "미납", "데이터", "로밍", "휴대폰", "기기변경", "개통",
    # shopping
    "세일", "할인", "쿠폰", "특가", "적립금", "리뷰",
    # coin and stock leading rooms
    "비트코인", "코인", "리딩방", "리딩", "주식", "종목", "급등주", "단타", "해외선물", "해선",
    "나스닥", "항셍", "코스피", "코스닥", "투자",
    # gambling
    "토토", "카지노", "바카라", "슬롯", "홀덤", "파워볼", "첫충", "매충", "먹튀", "꽁머니",
    # loans
    "대출", "소액대출", "비상금대출", "대환대출", "신용대출", "햇살론", "새희망홀씨", "저금리",
    "정부지원", "생활안정자금", "스탁론", "급전", "연체",
    # real estate
    "분양", "아파트", "오피스텔", "지식산업센터", "상가", "타운하우스", "모델하우스", "청약",
    "역세권", "급매",
    # public notices
    "코로나19", "백신", "접종", "민방위", "재난지원금", "지원금", "자동차세", "재산세", "주민세",
    "지방세", "투표", "대통령선거", "지방선거", "국회의원선거", "실종", "폭염", "호우", "한파",
    "대설", "태풍", "미세먼지", "산불", "위택스", "중앙선거관리위원회",
    # impersonation smishing
    "검찰", "명의도용", "액정", "문화상품권", "구글기프트카드", "부고", "장례식장", "청첩장",
    "과태료", "범칙금",
    # adult spam
    "출장마사지", "출장안마", "조건만남", "애인대행", "화상채팅", "19금", "성인",
    # driver services
    "대리운전", "탁송", "대리기사",
    # job scams
    "알바", "부업", "재택부업", "재택근무", "고수익", "구매대행", "채용", "일자리",
    # everyday life (chat and greetings)
    "생일", "생신", "결혼식", "축의금", "회식", "시험", "과제", "김장", "제사", "용돈", "학원",
    "새해", "설날", "명절", "추석", "한가위", "크리스마스", "연말", "어버이날", "스승의날",
    "카카오톡",
)

# Hand-written obfuscations in the style of real Korean spam (dotted letters, look-alike Latin and
# digits, jamo-only abbreviations). Anything missing here gets a generic one from `noise.py`.
SPAM_SPELLINGS: dict[str, tuple[str, ...]] = {
    "비트코인": ("b.t.c", "B.T.C", "B-T-C", "b/t/c", "비II트코인", "비트 코인", "빗코", "BTC",
                 "비.트.코.인", "BIT COIN", "비II트", "B,T,C코인", "비ㅌ코인"),
    "코인": ("C0IN", "C0lN", "코ll인", "코.인", "COIN", "ㅋ인", "코1인", "꼬인"),
    "리딩방": ("리.딩.방", "ㄹ딩방", "리ll딩방", "리 딩 방", "LEADING방", "리딩b"),
    "리딩": ("리.딩", "ㄹ딩", "LEADING"),
    "주식": ("주.식", "ㅈ식", "주ll식", "쥬식", "주~식"),
    "종목": ("종.목", "ㅈ목", "종ll목"),
    "급등주": ("급.등.주", "급등ㅈ", "急등주"),
    "단타": ("단.타", "ㄷ타", "단~타", "DANTA"),
    "해외선물": ("해.외.선.물", "해외 선물", "해.선", "해ll선"),
    "토토": ("토.토", "ㅌㅌ", "TOTO", "토 토", "토~토", "to.to", "또또"),
    "카지노": ("카~지~노", "카.지.노", "ㅋㅈㄴ", "CASINO", "까지노", "카ㅈ노", "KAJINO"),
    "바카라": ("바.카.라", "ㅂㅋㄹ", "BACARA", "빠카라", "바카ㄹ"),
    "슬롯": ("슬.롯", "SLOT", "쓸롯", "ㅅㄹ"),
    "홀덤": ("홀.덤", "HOLDEM", "ㅎㄷ"),
    "첫충": ("첫.충", "첫 충", "ㅊㅊ"),
    "대출": ("대.출", "ㄷH출", "대 출", "대~출", "ㄷㅊ", "대ll출"),
    "급전": ("급.전", "급 전", "ㄱㅈ"),
    "조건만남": ("조.건.만.남", "ㅈㄱ만남", "조건 만.남"),
    "출장마사지": ("출장 마.사.지", "출장ㅁㅅㅈ", "출.장.마.사.지"),
    "출장안마": ("출.장.안.마", "출장 안 마", "출장ㅇㅁ"),
    "성인": ("성.인", "ㅅㅇ", "19성인"),
    "고수익": ("고.수.익", "高수익", "고 수 익"),
    "알바": ("알.바", "ㅇㅏㄹ바", "ARBA"),
}
# fmt: on
