"""Templates of smishing: fake parcel notices and impersonation (prosecutors, banks, family)."""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, ...]] = {
    "smishing_parcel": (
        "[{fake_parcel_brand}] 운송장 {invoice_masked} 주소 오기재로 배송이 중단되었습니다. 주소 재입력 {url_fake}",
        "[{fake_parcel_brand}] 고객님 택배가 미수취 상태로 {md}까지 보관됩니다. 수령 일정 선택 {url_fake}",
        "[{fake_parcel_brand}] 고객님 주소 불일치로 택배가 반송 예정입니다. 주소 수정 {url_fake}",
        "해외직구 통관 보류 관세 {won} 미납 확인 바랍니다 {url_fake}",
        "고객님의 택배가 도로명 주소 불일치로 보관 중입니다 {url_fake}",
        "{fake_parcel_brand} 배송 지연 안내 {invoice_masked} 추가 배송비 {won} 결제 후 재배송 {url_fake}",
        "[{fake_parcel_brand}] 통관 정보 확인이 필요합니다. 개인통관고유부호 입력 {url_fake}",
        "[{fake_parcel_brand}] 택배 배송 불가(주소 미기재). {md}까지 미확인 시 반송 {url_fake}",
    ),
    "smishing_impersonation": (
        "[{prosecutor}] {name}님 명의 대포통장 사건 관련 조사가 필요합니다. 담당 수사관 {phone}",
        "[{prosecutor}] 귀하 명의로 개설된 계좌가 범죄에 이용되었습니다. 명의도용 확인 {url_fake}",
        "{fam} 나 폰 떨어뜨려서 액정 나갔어{cry} 서비스센터 맡기고 이 번호로 연락하는 거야",
        "{fam} 나야 폰 고장나서 임시폰이야 급하게 문화상품권 {won_man} 결제 좀 해줄 수 있어?",
        "[부고] {name}님 {부친상|모친상|빙모상} 장례식장 안내 {url_fake}",
        "{name}♥{name2} 모바일 청첩장 보내드립니다 {url_fake}",
        "[교통민원24] {과태료|범칙금} 미납 고지서 확인 {url_fake}",
        "[{bank_brand}] 고객님 계좌가 금융사기에 연루되어 지급정지 되었습니다. 해제 {url_fake}",
        "[{merchant}] {name}님 {won} 결제 완료. 본인 결제가 아닐 경우 {hotline} 신고",
        "{fam} 구글기프트카드 {won_man} 사서 사진 찍어 보내줘 급해{cry}",
    ),
}
