"""Vietnamese names, agencies and titles used to make fictional but plausible data."""

from __future__ import annotations

FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Lò", "Giàng", "Sùng", "Vàng", "Lục", "Nông", "Mai", "Cao", "Phan",
    "Đinh", "Trịnh", "Hà", "Triệu",
)  # fmt: skip
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Đức", "Quang", "Hữu", "Ngọc", "Thu", "Xuân", "Công", "Anh", "Thùy", "Mạnh")
GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hiếu", "Hoa", "Hùng", "Hưng",
    "Kiên", "Lâm", "Lan", "Linh", "Lợi", "Nam", "Phong", "Phúc", "Phương", "Quân",
    "Quyên", "Sơn", "Tài", "Thành", "Thắng", "Trang", "Tuấn", "Tùng", "Vinh", "Yến",
)  # fmt: skip

#: Agencies that send delegates: (name, base, leader title, deputy title, head of the
#: agency sits on the Standing Committee).
AGENCIES: tuple[tuple[str, str, str, str], ...] = (
    ("Ban Tuyên giáo", "hq", "Trưởng Ban Tuyên giáo", "Phó Trưởng Ban Tuyên giáo"),
    ("Ban Tổ chức", "hq", "Trưởng Ban Tổ chức", "Phó Trưởng Ban Tổ chức"),
    ("Ủy ban Kiểm tra", "hq", "Chủ nhiệm Ủy ban Kiểm tra", "Phó Chủ nhiệm Ủy ban Kiểm tra"),
    ("Ban Dân vận", "hq", "Trưởng Ban Dân vận", "Phó Trưởng Ban Dân vận"),
    ("Văn phòng", "hq", "Chánh Văn phòng", "Phó Chánh Văn phòng"),
    ("Trung tâm Chính trị", "ttct", "Giám đốc Trung tâm Chính trị", "Phó Giám đốc Trung tâm Chính trị"),
    ("MTTQ", "mttq", "Chủ tịch Ủy ban MTTQ", "Phó Chủ tịch Ủy ban MTTQ"),
    ("Đoàn Thanh niên", "mttq", "Bí thư Đoàn Thanh niên", "Phó Bí thư Đoàn Thanh niên"),
    ("Hội Phụ nữ", "mttq", "Chủ tịch Hội Liên hiệp Phụ nữ", "Phó Chủ tịch Hội Liên hiệp Phụ nữ"),
    ("Hội Nông dân", "mttq", "Chủ tịch Hội Nông dân", "Phó Chủ tịch Hội Nông dân"),
    ("Hội Cựu chiến binh", "mttq", "Chủ tịch Hội Cựu chiến binh", "Phó Chủ tịch Hội Cựu chiến binh"),
    ("Liên đoàn Lao động", "mttq", "Chủ tịch Liên đoàn Lao động", "Phó Chủ tịch Liên đoàn Lao động"),
)

STANDING_TITLES = ("Bí thư", "Phó Bí thư Thường trực", "Phó Bí thư", "Phó Bí thư")

PLACES = (
    ("hq", "Trụ sở cơ quan Đảng ủy"),
    ("ttct", "Trung tâm Chính trị"),
    ("mttq", "Khối Mặt trận và các đoàn thể"),
)

LEAVE_REASONS = (
    "Nghỉ phép",
    "Nghỉ ốm",
    "Đi công tác",
    "Học lớp bồi dưỡng",
    "Dự hội nghị cấp trên",
    "Tiếp đoàn công tác",
)

FLAG_REASONS = {
    1: (
        "Có đơn thư phản ánh kéo dài",
        "Kết quả chấm điểm tuyên vận tháng trước xếp loại yếu",
        "Tư tưởng một bộ phận nhân dân chưa ổn định",
    ),
    2: (
        "Vụ việc phức tạp về đất đai, đông người",
        "Điểm nóng giải phóng mặt bằng dự án trọng điểm",
        "Tranh chấp, khiếu kiện kéo dài",
    ),
}

THEMES = (
    "Tuyên truyền Nghị quyết Đại hội",
    "Xây dựng nông thôn mới",
    "Giải phóng mặt bằng các dự án trọng điểm",
    "Bảo vệ nền tảng tư tưởng của Đảng",
    "Chuyển đổi số ở cơ sở",
    "Phòng, chống ma túy",
    "Sắp xếp đơn vị hành chính cấp xã",
)

COMMUNE_STEMS = (
    "Bản Lầu", "Bản Phiệt", "Bảo Nhai", "Cốc Ly", "Nậm Chày", "Phong Niên", "Gia Phú", "Xuân Quang",
    "Sơn Hà", "Tân Dương", "Văn Bàn", "Khánh Yên", "Võ Lao", "Dương Quỳ", "Minh Lương", "Thẩm Dương",
    "Bát Xát", "Y Tý", "A Mú Sung", "Trịnh Tường", "Mường Hum", "Dền Sáng", "Bắc Hà", "Lùng Phình",
    "Si Ma Cai", "Sín Chéng", "Mường Khương", "Pha Long", "Bảo Yên", "Nghĩa Đô", "Phúc Khánh", "Vĩnh Yên",
    "Tam Đường", "Bình Lư", "Sìn Hồ", "Tả Phìn", "Than Uyên", "Mường Kim", "Tân Uyên", "Mường Khoa",
    "Phong Thổ", "Mường So", "Dào San", "Sì Lở Lầu", "Nậm Nhùn", "Mường Tè", "Bum Nưa", "Pa Vệ Sủ",
)  # fmt: skip
