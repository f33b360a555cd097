"""The newsroom's words the copy desk reads: byline roles, credit forms, speakers' posts.

Roles come from `media.credits.CreditRole`, the same labels the page prints, so a role
read here is printed back exactly the same. Anything role-like that is not in the
vocabulary is kept as printed and reported, never guessed into a known role.
"""

import re

from media.credits import CreditAction, CreditRole

# "本报记者" → "staff_reporter", …: every printed role label the product knows.
ROLES: dict[str, str] = {label: value for value, label in CreditRole.choices if value}
# 共享联盟·福明街道: the alliance role, then the organisation it speaks for.
ALLIANCE = CreditRole.MEDIA_ALLIANCE.label
ORGANISATION_SEPARATORS = "·•・"

# Words a role label ends with: a token ending so is a role, known or not (新华社记者,
# 本报评论员, 特约撰稿人), never a name.
ROLE_ENDINGS = (
    "记者",
    "通讯员",
    "报道组",
    "评论员",
    "撰稿人",
    "撰稿",
    "编辑",
    "摄影",
    "实习生",
    "拍友",
    "主持人",
    "编译",
    "特约",
)

# What the credited did, as printed after the names.
PHOTOGRAPHED = "摄"
COURTESY = "供图"
COMPILED = "整理"
ACTIONS = {
    PHOTOGRAPHED: CreditAction.PHOTOGRAPHED.value,
    COURTESY: CreditAction.COURTESY.value,
    COMPILED: CreditAction.COMPILED.value,
}
# "图片由浙江省文旅厅提供", "（资料图片）": courtesy credits in other papers' words.
COURTESY_OF = re.compile(r"^(?:图片|照片|图)由(?P<names>.+?)提供$")
FILE_PHOTO = ("资料图片", "资料图", "资料照片")

# Posts a testimony speaker's title ends with, so "…党委书记吴华" splits into the title
# "…党委书记" and the name "吴华" when no space separates them. Longest first.
POSTS = tuple(
    sorted(
        {
            "书记",
            "副书记",
            "支书",
            "主任",
            "副主任",
            "村长",
            "乡长",
            "镇长",
            "县长",
            "市长",
            "区长",
            "局长",
            "处长",
            "科长",
            "厅长",
            "部长",
            "省长",
            "主席",
            "委员",
            "代表",
            "董事长",
            "总经理",
            "经理",
            "总监",
            "负责人",
            "创始人",
            "院长",
            "校长",
            "教师",
            "老师",
            "医生",
            "护士",
            "队长",
            "组长",
            "站长",
            "所长",
            "馆长",
            "社长",
            "会长",
            "秘书长",
            "理事长",
            "主编",
            "编辑",
            "记者",
            "工程师",
            "研究员",
            "教授",
            "博士",
            "农民",
            "村民",
            "居民",
            "党员",
            "志愿者",
            "网格员",
            "社工",
            "民警",
            "警官",
            "法官",
            "检察官",
            "律师",
            "主播",
            "创客",
            "企业家",
            "厂长",
            "专员",
            "干部",
            "指导员",
            "辅导员",
            "技术员",
            "讲解员",
            "调解员",
            "联络员",
            "管理员",
            "店主",
            "老板",
            "师傅",
            "传承人",
            "大学生",
            "退役军人",
            "第一书记",
            "特派员",
            "村医",
            "司机",
            "快递员",
            "外卖员",
            "渔民",
            "茶农",
            "果农",
        },
        key=len,
        reverse=True,
    )
)

# Print's "scan for the video": the prompt beside the QR code, kept as the video's label.
VIDEO_PROMPT = re.compile(
    r"^(?:扫一扫|扫码|扫描二维码|扫二维码)[\s，,、]*(?:看|观看|观看更多)?视频(?P<rest>.*)$"
)

# 本报杭州6月20日电, 新华社北京6月20日电, 本报讯: the dateline that opens a news story.
DATELINE = re.compile(
    r"^(?P<dateline>(?:本报|新华社|中新社|人民日报|央视新闻|新京报)[\u4e00-\u9fff]{0,8}?(?:\d{1,2}月\d{1,2}日)?[电讯]"
    r"|[\u4e00-\u9fff]{2,8}\d{1,2}月\d{1,2}日[电讯])(?P<rest>.*)$"
)

# Genres (体裁) as the product stores them, by the words that name them in print.
KINDS = {
    "报道": "report",
    "消息": "news",
    "评论": "commentary",
    "通讯": "feature",
    "访谈": "interview",
    "其他": "other",
}
KIND_WORDS = {
    "commentary": ("评论员", "评论", "时评", "短评", "社论", "述评", "论坛", "观察"),
    "interview": ("访谈", "专访", "对话"),
    "feature": ("通讯", "特写", "纪实", "走笔", "蹲点", "探访"),
}

# Names a credit holds: Han names of two to four characters (six with a middle dot for
# names like 阿依古丽·买买提), or Latin names.
PERSON_NAME = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}[·•・][\u4e00-\u9fff]{1,8}|[A-Za-z][A-Za-z .'-]{1,40})$"
)
# An organisation credited in its own name: short, no sentence punctuation.
ORGANISATION_NAME = re.compile(r"^[^\s。！？，,；;：:“”\"]{2,30}$")
