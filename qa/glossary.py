"""A Vietnamese-English glossary of policy words, to read a question in the other language.

The embedder reads across languages only roughly: a Vietnamese question about an English page
('tham vấn du lịch cùng thú cưng') finds Vietnamese passages first, and an English question's words
('procedure code', 'repealed') match nothing in a Vietnamese decision. The glossary gives the
question's words in the other language, for BM25 over the other language's passages and for
choosing the sentence inside them. It is general administrative, legal and public-policy
vocabulary, not any document's own words; a phrase not in it is simply not translated.

Each line: Vietnamese phrase | English phrases, separated by ';'.
"""

from __future__ import annotations

from functools import cache

from qa.text import fold, terms

_LINES = """
nghị quyết | resolution
quyết định | decision
nghị định | decree
thông tư | circular
luật | law; act
bộ luật | code
chỉ thị | directive
kế hoạch | plan
kết luận | conclusion
thông báo | notice; announcement
công văn | letter
báo cáo | report
đề án | scheme; project
chương trình | programme; program
chiến lược | strategy
hướng dẫn | guidance; guide; instruction
phụ lục | annex; appendix; schedule
điều | article
khoản | clause; paragraph
chương | chapter
văn bản | document; text
văn bản quy phạm pháp luật | legal document; legislation
ủy ban nhân dân | people's committee
hội đồng nhân dân | people's council
quốc hội | national assembly; parliament
chính phủ | government
thủ tướng | prime minister
bộ | ministry
sở | department
cục | department; agency; bureau
tổng cục | general department
cơ quan | agency; authority; body
tỉnh | province; provincial
thành phố | city
xã | commune
phường | ward
huyện | district
địa phương | local; locality
trung ương | central
tòa án | court
viện kiểm sát | procuracy
kiểm toán | audit; auditor
thanh tra | inspection; inspectorate
công an | police
quân đội | army; military
chủ tịch | chairman; chair; president
phó chủ tịch | vice chairman; vice president
bộ trưởng | minister; secretary
thứ trưởng | deputy minister
giám đốc | director
phó giám đốc | deputy director
tổng bí thư | general secretary
bí thư | secretary
thư ký | secretary; clerk
người ký | signer; signatory
ký | sign; signed; signature
ban hành | issue; issued; promulgate
hiệu lực | effect; effective; force
có hiệu lực | take effect; enter into force; effective
bãi bỏ | repeal; repealed; abolish
thay thế | replace; replaced; supersede
sửa đổi | amend; amended; amendment; revise
bổ sung | supplement; add; additional
quy định | regulation; rule; provision; regulate; require
giao | assign; assigned
nhiệm vụ | task; duty; mission
trách nhiệm | responsibility; responsible
thực hiện | implement; carry out; perform
triển khai | deploy; implement; roll out
phê duyệt | approve; approval
công bố | announce; publish; publication
thành lập | establish; establishment; found
sáp nhập | merge; merger
hợp nhất | consolidate; merge
sắp xếp | reorganize; reorganization; arrange
đăng ký | register; registration
cấp | grant; issue; level
cấp lại | reissue; re-issue
gia hạn | extend; extension; renew
thu hồi | revoke; withdraw; recover; acquisition
kiểm tra | check; inspect; examination
xử phạt | penalty; sanction; fine
phạt tiền | fine; monetary penalty
mức phạt | fine; penalty
nộp | submit; pay; file
hỗ trợ | support; subsidy; assistance; aid
đầu tư | investment; invest
xây dựng | construction; build; building
quản lý | management; manage; administration
bảo vệ | protection; protect
phát triển | development; develop
thủ tục hành chính | administrative procedure
thủ tục | procedure
mã số | code; number
mã | code
hồ sơ | dossier; application; file; documents
đơn | application; form
mẫu | form; template; model
giấy phép | licence; license; permit
giấy chứng nhận | certificate
chứng chỉ | certificate
lệ phí | fee; charge
phí | fee; charge
miễn phí | free; free of charge
thời hạn | time limit; deadline; period; term
thời hạn giải quyết | processing time; time limit
thời gian | time; period; duration
ngày làm việc | working day; business day
ngày | day; date
tháng | month
năm | year; annual
tuần | week
hằng tuần | weekly
hằng năm | annual; annually; yearly
giờ | hour
giờ công | work hour; labor hour; man hour
lương | salary; wage; pay
tiền lương | wage; salary
bậc lương | salary grade; pay step
hệ số | coefficient
ngạch | rank; grade
công chức | civil servant
viên chức | public employee
cán bộ | official; cadre
người lao động | worker; employee
người sử dụng lao động | employer
tuyển dụng | recruit; recruitment; hire
thuế | tax
thuế giá trị gia tăng | value added tax; vat
khấu trừ | withholding; deduction; deduct
ngân sách | budget
chi phí | cost; expense
kinh phí | funding; budget; cost
tiền | money; amount
đồng | dong; vnd
đô la | dollar
tỷ lệ | rate; ratio; percentage; share
phần trăm | percent; percentage
lãi suất | interest rate
đất | land
đất đai | land
thuê đất | land lease; land rent
tiền thuê đất | land rent
đơn giá | unit price; rate
giá | price
diện tích | area
dân số | population
kinh tế | economy; economic
tăng trưởng | growth
dự án | project
cao tốc | expressway; highway; motorway
đường bộ | road
tổng mức đầu tư | total investment
sơ bộ | preliminary
dự kiến | expected; estimated; planned
tiến độ | schedule; timeline; progress
hoàn thành | complete; completed; completion; finish; finished
vận hành | operation; operate; operational
đưa vào vận hành | put into operation; open to traffic
chiều dài | length
làn xe | lane; lanes
thu phí | toll; tolls
rừng | forest; forests
rừng phòng hộ | protection forest
đầu nguồn | headwater; watershed
chuyển mục đích sử dụng | convert; converted; conversion
đất trồng lúa | rice land; paddy land
đất lâm nghiệp | forestry land; forest land
vốn | capital; fund
cụm công nghiệp | industrial cluster
khu công nghiệp | industrial park; industrial zone
doanh nghiệp | enterprise; business; company
công ty | company; firm
cơ sở | establishment; facility; base
tàu | vessel; ship; boat
tàu cá | fishing vessel
thủy sản | fisheries; aquatic; seafood
nông nghiệp | agriculture; agricultural
môi trường | environment; environmental
y tế | health; medical
trạm y tế | health station
bệnh viện | hospital
điều dưỡng | nurse; nursing
bác sĩ | doctor; physician
thuốc | drug; medicine
ma túy | drug; narcotic
giáo dục | education
trường | school
đại học | university
cao đẳng | college
học phí | tuition
sinh viên | student
học sinh | pupil; student
khóa học | course
lập trình | coding; programming
khoản vay | loan
văn hóa | culture; cultural
thể thao | sport; sports
du lịch | tourism; travel; tourist
thi đua | emulation; competition
khen thưởng | reward; commendation; award
giải thưởng | prize; award
tham nhũng | corruption
phòng chống tham nhũng | anti-corruption
kê khai | declare; declaration
tài sản | asset; property
thu nhập | income; earnings
vi phạm | violation; breach
vi phạm hành chính | administrative violation
tang vật | exhibit; seized item
thiên tai | natural disaster; disaster
đê điều | dyke; dike
viện trợ | aid; assistance
vắc xin | vaccine
gia súc | livestock; cattle
gia cầm | poultry
dịch bệnh | epidemic; disease
bệnh | disease; illness
bảo hiểm xã hội | social insurance; social security
bảo hiểm y tế | health insurance
bảo hiểm | insurance
người nước ngoài | foreigner; foreign national
nước ngoài | foreign; overseas
quốc tế | international
nhà nước | state
công dân | citizen
hộ gia đình | household; family
gia đình | family
cá nhân | individual; person
tổ chức | organization; organisation
thú cưng | pet
vật nuôi | pet; animal
con vật | animal
chủ | owner
tham vấn | consultation; consult
lấy ý kiến | consultation; comment
nhà trắng | white house
tổng thống | president
phó tổng thống | vice president
bài phát biểu | speech; address
phát biểu | speech; address; remark
máy bay | airplane; aircraft; aeroplane
hàng không | aviation
chỉ thị đủ điều kiện bay | airworthiness directive
nhà khai thác | operator
sửa chữa | repair
dây điện | wiring
an toàn | safety; safe
súng | firearm; gun
kiểm tra lý lịch | background check
bảng | table
số liệu | data; figure
thống kê | statistics
bang | state
hạt | county
khoáng sản | mineral
sản lượng | production; output
công suất | capacity
nhập khẩu | import
xuất khẩu | export
thương mại | trade; commerce
nước | water; country
nước thải | sewage; wastewater; sewerage
ô nhiễm | pollution
công trình | works; structure; facility
nhà ở | housing; dwelling
xã hội | social; society
phúc lợi | welfare; benefit
trợ cấp | allowance; benefit; subsidy
lương hưu | pension
hưu trí | retirement; retired
người cao tuổi | elderly
trẻ em | child; children
phụ nữ | women
người khuyết tật | disabled person; disability
dữ liệu | data
thông tin | information
trang thông tin điện tử | website; web page
trang | page; website
chuyển đổi số | digital transformation
lưu trữ | archive; archived
tài khoản | account
mạng xã hội | social media
đặc biệt | special
biện pháp | measure
biện pháp đặc biệt | special measures
chất lượng | quality
đánh giá | assessment; evaluation; rating; assess
xếp hạng | ranking; rating
báo cáo viên | rapporteur
hội nghị | conference; meeting
họp | meeting
cuộc họp | meeting
đề nghị | proposal; request; propose
tờ trình | submission; proposal
ý kiến | opinion; comment
khiếu nại | complaint
tố cáo | denunciation; report
bồi thường | compensation; compensate
tái định cư | resettlement
giải phóng mặt bằng | site clearance
quy hoạch | planning; master plan
đô thị | urban; city
nông thôn | rural
biển | sea; marine
cảng | port
sân bay | airport
giao thông | transport; traffic
vận tải | transport; transportation
điện | electricity; power
năng lượng | energy
khoa học | science; scientific
công nghệ | technology
đổi mới sáng tạo | innovation
nghiên cứu | research; study
quốc phòng | defence; defense
an ninh | security
trung quốc | china; chinese
nhật bản | japan; japanese
hàn quốc | korea; south korea; korean
ấn độ | india; indian
hoa kỳ | united states; us; usa; america; american
nước mỹ | united states; america
người mỹ | american; americans
vương quốc anh | united kingdom; uk; britain; british
nước anh | england; britain; uk
liên bang nga | russia; russian federation
cộng hòa pháp | france
liên minh châu âu | european union; eu
châu âu | europe; european
đông nam á | southeast asia
địa chỉ | address; street address
giá trị | value; worth
tối thiểu | minimum; at least
tối đa | maximum; at most; up to
trở lên | or more; or above
hàng hóa | goods; merchandise; commodities
phân chia | split; divide; division
kim khí quý | precious metals
đá quý | gems; gemstones; precious stones
giấy tờ có giá | valuable papers
thuyền trưởng | captain; skipper
thuyền viên | crew; crew members
diễn tập | drill; drills; exercise
cứu sinh | lifesaving; life-saving
sơ tán | evacuation; evacuate
tai nạn | accident; injury
khám chữa bệnh | medical treatment; medical care
tiêu hủy | destroy; destruction; disposal
hạn sử dụng | expiry; shelf life; expiry date
tịch thu | confiscate; confiscation; forfeit
tạm giữ | seize; seized; seizure; temporarily held
dược sĩ | pharmacist; pharmacists
cao tuổi | elderly; older; senior
nghỉ hưu | retired; retirement; retire
trực tiếp | in person; directly; direct
trực tuyến | online
bưu chính | post; postal
thành phần hồ sơ | application documents; dossier
"""


@cache
def _table() -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[tuple[str, ...], tuple[str, ...]]]:
    """(Vietnamese folded words -> English terms, English terms -> Vietnamese folded words)."""
    to_english: dict[tuple[str, ...], list[str]] = {}
    to_vietnamese: dict[tuple[str, ...], list[str]] = {}
    for line in _LINES.strip().splitlines():
        vietnamese, _, english = line.partition("|")
        key = tuple(fold(vietnamese).split())
        vi_terms = terms(vietnamese)
        for phrase in english.split(";"):
            en_terms = terms(phrase)
            if not key or not en_terms or not vi_terms:
                continue
            to_english.setdefault(key, []).extend(en_terms)
            to_vietnamese.setdefault(tuple(en_terms), []).extend(vi_terms)
    return ({k: tuple(dict.fromkeys(v)) for k, v in to_english.items()},
            {k: tuple(dict.fromkeys(v)) for k, v in to_vietnamese.items()})


_LONGEST = 6


def translate(text: str, language: str) -> tuple[str, ...]:
    """The terms of `text`'s glossary phrases in the other language, longest phrase first: a
    Vietnamese text's English terms, an English text's Vietnamese (folded) terms."""
    return tuple(dict.fromkeys(t for _, found in matches(text, language) for t in found))


def matches(text: str, language: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each glossary phrase found in `text`, longest first, as (its words as `text` has them, folded
    or as terms; their terms in the other language)."""
    to_english, to_vietnamese = _table()
    if language == "vi":
        words, table = fold(text).split(), to_english
        words = [w.strip(".,;:?!()\"'“”‘’") for w in words]
    else:
        words, table = terms(text), to_vietnamese
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            found = table.get(tuple(words[i : i + size]))
            if found:
                out.append((tuple(words[i : i + size]), found))
                i += size
                break
        else:
            i += 1
    return out
