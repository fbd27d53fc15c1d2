"""Templates of personal messages: family and friends chat, and seasonal greetings."""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, ...]] = {
    "family_chat": (
        "{fam} 오늘 {food} 먹을래? 퇴근하고 사갈게{laugh}",
        "{fam} 나 오늘 {activity} 갔다가 늦을 것 같아{cry} 먼저 자",
        "{given}아 {md}에 할머니 생신이니까 시간 비워둬{emoji}",
        "{fam} 택배 왔어? 내가 시킨 {product} 경비실에 있을 거야",
        "밥은 먹었니? 날씨 {추운데|더운데|쌀쌀한데} 감기 조심하고 {fam}가 {food} 해놨다{emoji}",
        "{fam} 병원 예약 {date_kr} {hour_kr}로 해놨어요{emoji}",
        "{md}에 김장하니까 {hour_kr}까지 와라 {fam}도 온대{laugh}",
        "용돈 {won_man} 보냈어 맛있는 {food} 사먹어{emoji}",
        "오늘 저녁 {food} 어때? 아님 {food2}?{laugh}",
        "{given}아 학원 끝나면 바로 와 {fam}가 데리러 갈게",
        "{fam} {md} 제사 때 {hour_kr}까지 와{emoji}",
    ),
    "friend_chat": (
        "야 {day_rel} {activity} ㄱ?{laugh}",
        "{place}에서 {hhmm}에 보자 늦지마라{laugh} {food} 내가 쏜다",
        "나 {day_rel} {food} 땡기는데 {place}에서 같이 먹을 사람{cry}",
        "{given}아 어제 {activity} 진짜 재밌었다{laugh} 담에 또 가자",
        "시험 망했어{cry} 오늘 {food} 먹으면서 잊자",
        "결혼식 {date_kr} {place}이지? 축의금 얼마 해?",
        "{activity} 예매했어! {hhmm} 시작이니까 {place}에서 만나{emoji}",
        "생일 축하해{emoji} 선물은 {product}로 골랐다{laugh}",
        "회식 끝나고 연락할게 지금 {food} 먹는 중{laugh}",
        "과제 다 했어? 나 아직 반도 못 했어{cry} {day_rel} {place} 카페에서 같이 하자",
        "{given}아 뭐해? {day_rel} {food} 먹으러 갈래?{laugh}",
    ),
    "greeting": (
        "새해 복 많이 받으세요{emoji} {year}년에도 건강하시고 행복한 일만 가득하시길 바랍니다. {sender_sig}",
        "풍성한 한가위 보내세요. 가족과 함께 즐거운 추석 되시길 바랍니다. -{sender_sig}-",
        "메리 크리스마스{emoji} 따뜻한 연말 보내세요~ {sender_sig}",
        "{given}님 생일 축하드립니다{emoji} 행복한 하루 보내세요 {sender_sig}",
        "어버이날을 맞아 감사의 마음을 전합니다. 늘 건강하세요 {sender_sig}",
        "스승의날 감사합니다 선생님{emoji} 덕분에 {year}년도 힘내겠습니다. {name} 올림",
        "즐거운 설날 보내시고 새해에도 좋은 일만 가득하세요 {sender_sig}",
        "한 해 동안 감사했습니다. 따뜻한 연말 보내시고 다가오는 {year}년에도 잘 부탁드립니다 {sender_sig}",
        "{occasion} 연휴 잘 보내시고 늘 건강하세요{emoji} {sender_sig}",
    ),
}
