"""Place data for the demo city: Wuhan's real districts and plausible local names."""

from dataclasses import dataclass


def words(text: str) -> tuple[str, ...]:
    """Space-separated words; easier to read and edit than a long tuple of two-character strings."""
    return tuple(text.split())


CITY_CODE = "420100"
CITY_NAME = "武汉市"
CITY_CENTRE = (30.5928, 114.3055)
CITY_HALL_ADDRESS = "湖北省武汉市江岸区沿江大道188号"


@dataclass(frozen=True)
class District:
    code: str
    name: str
    latitude: float
    longitude: float
    spread: float  # degrees of latitude/longitude its streets scatter over
    streets: int  # real number of streets/townships, used as a weight
    rural: bool  # has townships (乡镇) as well as streets


# GB/T 2260 codes; urban districts first, so the small scales stay urban.
DISTRICTS = [
    District("420102", "江岸区", 30.6000, 114.3090, 0.030, 16, False),
    District("420103", "江汉区", 30.6010, 114.2700, 0.020, 13, False),
    District("420104", "硚口区", 30.5820, 114.2150, 0.022, 11, False),
    District("420105", "汉阳区", 30.5540, 114.2180, 0.030, 11, False),
    District("420106", "武昌区", 30.5540, 114.3160, 0.028, 14, False),
    District("420107", "青山区", 30.6400, 114.3850, 0.025, 10, False),
    District("420111", "洪山区", 30.5000, 114.3440, 0.045, 13, False),
    District("420112", "东西湖区", 30.6200, 114.1370, 0.060, 12, True),
    District("420113", "汉南区", 30.3080, 114.0840, 0.060, 5, True),
    District("420114", "蔡甸区", 30.5820, 114.0290, 0.080, 12, True),
    District("420115", "江夏区", 30.3750, 114.3130, 0.100, 17, True),
    District("420116", "黄陂区", 30.8820, 114.3750, 0.110, 16, True),
    District("420117", "新洲区", 30.8420, 114.8010, 0.100, 15, True),
]
REGION_CODES = [district.code for district in DISTRICTS]

# Railway stations and the district each stands in.
STATIONS = [("420103", "汉口站"), ("420106", "武昌站"), ("420111", "武汉站")]

# Morphemes of local place names, for streets, townships and roads.
PLACE_WORDS = words(
    "大智 一元 车站 四唯 永清 西马 球场 劳动 二七 丹水池 台北 花桥 后湖 塔子湖 民族 花楼 满春 "
    "民意 新华 万松 唐家墩 北湖 常青 汉兴 前进 易家 荣华 古田 韩家墩 宗关 汉水 汉中 汉正 "
    "六角亭 长丰 鹦鹉 洲头 五里墩 琴断口 永丰 积玉桥 杨园 徐家棚 粮道 黄鹤楼 紫阳 白沙洲 首义 "
    "中南 水果湖 珞珈山 石洞 南湖 冶金 新沟桥 工人村 厂前 钢花 白玉山 武东 珞南 关山 狮子山 "
    "张家湾 梨园 卓刀泉 和平 青菱 九峰 花山 左岭 将军路 慈惠 走马岭 径河 长青 辛安渡 东山 柏泉 "
    "纱帽 邓南 东荆 湘口 奓山 永安 侏儒山 大集 张湾 索河 玉贤 消泗 纸坊 郑店 五里界 金口 "
    "乌龙泉 安山 山坡 法泗 湖泗 舒安 前川 滠口 横店 天河 祁家湾 罗汉寺 王家河 长轩岭 李家集 "
    "姚集 蔡店 木兰 邾城 阳逻 仓埠 汪集 李集 三店 潘塘 旧街 双柳 涨渡湖 辛冲 徐古 凤凰 沙湖 "
    "东亭 余家头"
)
DIRECTIONS = ("东", "西", "南", "北", "新", "中")

COMMUNITY_WORDS = words(
    "幸福 和平 建设 友谊 胜利 光明 新华 长春 解放 育才 三阳 黎黄 球场 惠济 鄱阳 吉庆 江滩 利济 "
    "航空 民权 保成 电力 红旗 跃进 联合 东方 兴业 金桥 丰收 百步 桃源 青年 花园 锦江 南岸 北港 "
    "翠柳 石桥 柳林 杨柳 梅苑 竹林 芳草 紫荆 桂园 荷花 水塔 大兴 德润 振兴 文昌 玉带 晴川 龟山 "
    "月湖 琴台"
)
COMMUNITY_SUFFIXES = ("里", "村", "苑", "园", "坊", "湾", "桥", "街", "路", "巷", "坪", "堤")

COMPOUND_WORDS = words(
    "锦绣 阳光 金色 翡翠 江景 东湖 汉江 长江 世纪 新城 滨江 书香 御景 丽岛 香榭 融侨 复地 "
    "百步亭 常青 澳门 万松 青年 建设 供电 铁路 税务 教师 邮电 纺织 钢花 水厂 烟厂 园林 银河 "
    "星河 天汇"
)
COMPOUND_SUFFIXES = ("花园", "家园", "小区", "苑", "公寓", "新村", "名居", "华府", "城", "雅居", "佳园")

ROAD_SUFFIXES = ("路", "街", "大道", "巷")

POSTS_2020 = ("卡口值守", "体温检测", "隔离户服务", "物资配送", "车站防控", "信息登记与数据统计", "网格巡查")
HEALTH_RESTRICTIONS = (
    "高血压，不宜夜班",
    "哮喘，不宜长时间户外值守",
    "腰椎间盘突出，不宜搬运重物",
    "糖尿病，需规律饮食",
    "孕期，不宜接触隔离人员",
    "术后恢复期，不宜高强度岗位",
)
UNAVAILABLE_NOTES = ("年休假", "集中培训", "外地出差", "病假", "重点工作专班")
CERTIFICATIONS = {
    "medicine": ("医师资格证书", "湖北省卫生健康委员会"),
    "nursing": ("护士执业证书", "湖北省卫生健康委员会"),
    "driving": ("机动车驾驶证（B2）", "武汉市公安局交通管理局"),
    "law": ("法律职业资格证书", "司法部"),
    "audit": ("审计专业技术资格证书", "湖北省人力资源和社会保障厅"),
    "psychology": ("心理咨询师证书", "湖北省心理卫生协会"),
}
POSITIONS = {
    1: ("科员", "一级科员", "二级科员"),
    2: ("副科长", "四级主任科员"),
    3: ("科长", "三级主任科员"),
    4: ("副处长", "二级调研员"),
    5: ("处长", "一级调研员"),
    6: ("副局长",),
}
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "180",
    "186",
    "187",
    "189",
    "199",
)
