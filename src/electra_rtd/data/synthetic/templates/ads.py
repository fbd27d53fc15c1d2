"""Templates of legal advertising: online shops, real-estate sales and 대리운전 services."""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, ...]] = {
    "shopping_ad": (
        "{shop_brand} {봄|여름|가을|겨울|블랙프라이데이|주말} 세일! {product} 최대 {pct_small} 할인 {url}",
        "[{shop_brand}] {name}님만을 위한 {won_man} 쿠폰이 도착했어요! 오늘 자정까지 {url}",
        "{product} 특가 {won} 무료배송 {deco} {shop_brand} 단독 {url}",
        "[{shop_brand}] 회원님의 적립금 {won}이 {md} 소멸 예정입니다. 지금 사용하세요 {url}",
        "[{shop_brand}] 장바구니에 담아둔 {product} 가격이 내려갔어요! 지금 {pct_small} 할인 중 {url}",
        "{place} 산지 직송 {farm_product} {kg}kg 한 박스 {won} 택배 무료 주문 문자 {phone}",
        "{shop_brand} 브랜드위크 {deco}{product} 1+1{deco} ~{md}까지 {url}",
        "{name}님 {shop_brand} 리뷰 작성하고 적립금 {won} 받으세요 {url}",
        "{deco}{product} 재입고 알림{deco} 품절 전에 서두르세요 {shop_brand} {url}",
    ),
    "real_estate_ad": (
        "{apt_name} 로얄층 잔여 {count}세대 {deco} {place} 생활권 계약금 {won_man} 정액제 {landline}",
        "{place}역 도보 {count}분 역세권 {아파트|오피스텔} {won_big}대 분양 조기 마감 예상 {phone}",
        "{district} 마지막 {아파트|오피스텔|타운하우스} {apt_name} {py}평 {won_big}~ 모델하우스 오픈 {phone}",
        "[분양 안내] {apt_name} 잔여세대 특별분양 중도금 무이자 {deco} {name} 실장 {phone}",
        "{아파트|오피스텔|상가} 급매 {place} {py}평 {won_big} 즉시 입주 가능 {name} 실장 {phone}",
        "{apt_name} 무순위 청약 {date_kr} 접수 시작 {url}",
        "{place} 지식산업센터 분양 중 사무실 {py}평형 {deco} 중도금 대출 {pct_small} 가능 {landline}",
        "{apt_name} 상가 분양 {district} 독점 상권 {won_big} 임대수익 보장 {phone}",
    ),
    "driver_service": (
        "{driver_co} 대리운전 {city} 전지역 {won}부터 {hotline}",
        "대리운전 {driver_co} 연말 회식 후 안전귀가 {phone} 카드결제 가능",
        "{driver_co} 탁송 대리 친절 신속 {city}→{city2} {won} {hotline}",
        "{driver_co}입니다. {무더운 여름|추운 겨울|환절기|장마철} 건강 조심하세요~ 대리운전 필요하시면 {hotline}",
        "대리기사님 모십니다 {driver_co} 수수료 {pct_small} 출퇴근 자유 {phone}",
        "{driver_co} 대리운전 5회 이용 시 1회 무료 {deco} 콜 {hotline}",
        "술 한잔 하셨나요? {driver_co} 대리운전 {count}분 내 도착 {hotline}",
    ),
}
