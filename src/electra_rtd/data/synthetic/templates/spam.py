"""Templates of illegal spam: coin/stock 리딩방, gambling, loans, adult services and job scams.

Written from scratch after reading how real reports look (no sentence is copied): short, often
unspaced, a shortened link, a room code, bold promises and decorations.
"""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, ...]] = {
    "coin_stock_spam": (
        "{deco}{coin} 단타 리딩방 무료 입장{deco} 하루 평균 {pct_small} 수익 {url} 참여코드 {code4}",
        "VIP 전용 {coin} 단타방 오늘만 오픈 입장번호 {code4} {url}",
        "{market} 마감 전 {coin} 단타 리딩 시작합니다 {url}",
        "세력 매집 포착 다음 주 상한가 후보 종목 선공개{deco} {url}",
        "[{spam_sender}] 급등주 무료 추천 {month}월 누적 수익 {pct} 달성! {url_kakao} 비번 {code4}",
        "{coin} 자동 시그널로 월 {won_man} 목표 매일 {pct_small} 수익 인증 {url}",
        "주식 손실 보셨나요? {spam_sender} 전문가 리딩으로 원금 회복 도와드립니다 {url}",
        "해외선물 {market} 실시간 무료 체험방 하루 {count}번 타점 공유 {url}",
        "{name} 대표입니다. 리딩방 사기로 손실 보신 분들께 주식 손실 복구 상담을 무료로 해드립니다 {url_kakao}",
        "하락장에도 {coin} 단타는 수익 중 {deco} 결과로 증명합니다 {url}",
        "소액 {won_man}으로 시작하는 {coin} 자동매매 프로그램 무료 배포 {deco} 비밀번호 {code4} {url}",
    ),
    "gambling_spam": (
        "{site} 신규 첫충 {pct_small} 매충 {pct_small2} {game} {game2} {url}",
        "{deco}{site}{deco} 입금 보너스 {won_man} 이상 {pct_small} 추가 안전 토토 {url}",
        "{site} 5년 무사고 먹튀 검증 완료 토토 가입코드 {code4} {url}",
        "실시간 바카라 카지노 {site} 신규 {won_man} 지급 {url}",
        "{day_rel}까지 첫충 {pct_small} 이벤트 {site} 놓치지 마세요 {url}",
        "{site} {game} {game2} 전부 가능 출금 무제한 코드 {code4}",
        "{name} 실장입니다 {site} {game} 오늘 {hhmm}까지 입금하시면 {pct_small} 보너스 드려요 {url}",
        "[{site}] 스포츠 {game} 신규가입 {won_man} 꽁머니 지급 {deco} {url}",
    ),
    "illegal_loan_spam": (
        "[{bank_brand}] {name}님은 {year}년 정부지원 {loan_product} 우선 심사 대상입니다. 한도 {won_big} {rate} 문의 {hotline}",
        "직장 없어도 가능 소액대출 당일 {won_man} 송금 {phone}",
        "{month}월 생활안정자금 대출 접수 {md} 종료 예정 조회만 해도 한도 확인 {hotline}",
        "신용점수 낮아도 OK 비상금대출 {won_man} 즉시 입금 {url}",
        "대환대출 고금리 정리 {rate} 고정 {bank_brand} 제휴 상담 {phone}",
        "보유 주식 담보 스탁론 {rate}부터 반대매매 걱정 없이 추가 매수 {hotline}",
        "급전 필요하세요? 카드값 연체 해결 당일 {won_man} {phone}",
        "{name} 팀장입니다. 신청하신 {loan_product} 저금리 심사 통과 안내드립니다 오늘 중 {phone}로 연락주세요",
    ),
    "adult_spam": (
        "오빠 심심해? 나 {place} 사는데 오늘 만날래? 19금 채팅 {url}",
        "{place} 출장마사지 24시 후불제 {phone}",
        "19금 화상채팅 무료 체험 가입만 하면 {won_man} 포인트 {url}",
        "조건만남 {place} 지역 즉시 가능 {url}",
        "외로운 밤 애인대행 {age}살 {place} {url}",
        "성인 전용 채팅 지금 접속하면 {count}명 대기중 {url}",
        "{deco}{adult_service}{deco} {place} {city} 전지역 {hotline} 실사 100%",
        "{given}이에요 {laugh} 기억 안 나요? 여기서 {adult_service} 해요 {url}",
    ),
    "job_scam": (
        "[재택부업] 하루 {count}시간 스마트폰으로 일당 {won_man} 가능 {url_kakao}",
        "{shop_brand} 리뷰 알바 모집 건당 {won} 즉시 지급 {url}",
        "고수익 알바 주부 학생 가능 {job_platform} 좋아요 누르고 하루 {won_man} {url}",
        "구매대행 부업 초기비용 0원 월 {won_man} {url_kakao}",
        "[채용] {company} 재택근무 사무보조 일급 {won} 신분증 사본 보내주세요 {phone}",
        "단순 작업 알바 하루 {won_man} 팀장 {name} {url_kakao}",
        "해외 고수익 일자리 {country} 숙식제공 월 {won_man} 항공권 지원 {phone}",
        "{name}님 {job_platform} 구독 알바 신청이 승인되었습니다 {url_kakao}",
    ),
}
