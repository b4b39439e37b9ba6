from sousveil.privacy.redact import MARKERS, redact


def test_contacts_mobiles_emails_and_experts_are_removed():
    text = "\n".join([
        "项目联系人：王老师 电话：13800000001",
        "联系人：李工，联系电话：0755-23338582，邮箱：li.gong@example.com",
        "评审专家名单\t张三,李四,王五",
        "七、评审委员会成员名单",
        "赵六、钱七；",
        "八、代理服务收费标准及金额",
        "采购人：深圳市某某中学 地址：深圳市龙华区人民路1号 联系方式：0755-20000000",
        "磋商小组成员名单：孙八、周九",
        "手机：+86 139-1234-5678",
    ])
    out, redactions = redact(text)
    for personal in ("王老师", "13800000001", "李工", "li.gong@example.com", "张三", "李四", "赵六", "钱七", "孙八",
                     "139-1234-5678"):
        assert personal not in out
    # Institutions, addresses and switchboard numbers stay.
    for kept in ("0755-23338582", "深圳市某某中学", "深圳市龙华区人民路1号", "0755-20000000", "八、代理服务收费标准及金额"):
        assert kept in out
    kinds = {r.kind for r in redactions}
    assert kinds == {"person", "mobile", "email", "experts"}
    for r in redactions:
        assert out[r.start:r.end] == MARKERS[r.kind]


def test_label_on_its_own_line():
    out, _ = redact("项目联系人\n刘工\n项目联系电话\n13800000002\n采购单位\n某中学")
    assert "刘工" not in out and "13800000002" not in out and "某中学" in out


def test_traditional_and_full_width_labels():
    out, _ = redact("聯絡人：陳先生　電話：１３８０００００００２")
    assert "陳先生" not in out and "１３８０００００００２" not in out


def test_landlines_and_amounts_are_not_mobile_numbers():
    text = "中标金额：13800000001.00元\n电话：010-12345678\n项目编号：138000000012345"
    out, _ = redact(text)
    assert "010-12345678" in out and "138000000012345" in out and "13800000001.00元" in out


def test_folded_output_is_the_fold_of_the_redacted_text():
    from sousveil.privacy.redact import redact_folded
    from sousveil.text import fold

    text = "聯絡人：陳先生　手機：１３８０００００００２\n採購人：某某中學 郵箱：ＡＢＣ@example.com"
    out, _, folded = redact_folded(text)
    assert folded == fold(out)


def test_identity_card_numbers_but_not_company_codes():
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    base = "11010519491231002"  # a made-up number with a valid check character
    number = base + "10X98765432"[sum(int(d) * w for d, w in zip(base, weights)) % 11]
    out, redactions = redact(f"项目经理身份证号：{number}\n统一社会信用代码：91330100MA2XXXXX1X\n编号：110105194912310020")
    assert number not in out and "[证件号已删除]" in out
    assert "91330100MA2XXXXX1X" in out  # a company's code is not personal data
    assert "110105194912310020" in out  # 18 digits without a valid check character are not an identity number
    assert [r.kind for r in redactions] == ["id_number"]


def test_names_after_compound_labels_forms_of_address_and_latin_names():
    cases = {
        "联系人及电话：吴九 0571-88888888": "联系人及电话：[姓名已删除] 0571-88888888",  # the landline stays
        "联系方式：王女士，15912345678": "联系方式：[姓名已删除]，[手机号已删除]",
        "采购人代表：赵六": "采购人代表：[姓名已删除]",
        "联系人: Mr. Chan Tai-man, Tel: 2345 6789": "联系人: [姓名已删除], Tel: 2345 6789",
        "Contact person: Ms Wong, email wong@gov.hk": "Contact person: [姓名已删除], email [邮箱已删除]",
        "Contact: Mr. Chan Tai-man, Procurement Division": "Contact: [姓名已删除], Procurement Division",
        "Contact: Hong Kong Police Force": "Contact: Hong Kong Police Force",  # an institution stays
    }
    for text, expected in cases.items():
        assert redact(text)[0] == expected, text


def test_written_out_emails_and_personal_accounts():
    for text, expected in {"邮箱：abc(at)163.com": "邮箱：[邮箱已删除]", "Email: wang [at] qq.com。": "Email: [邮箱已删除]。",
                           "邮箱：li#163.com": "邮箱：[邮箱已删除]", "QQ：123456789": "QQ：[账号已删除]",
                           "微信号：wang_123，": "微信号：[账号已删除]，"}.items():
        out, reds = redact(text)
        assert out == expected, text
        assert reds and reds[0].kind in ("email", "account")
    # Hash signs in ordinary text are no e-mail address.
    assert redact("第3#楼，编号A#12")[0] == "第3#楼，编号A#12"


def test_a_surname_with_a_title_is_a_person_but_words_ending_in_the_title_are_not():
    assert redact("联系方式：王工 13812345678")[0] == "联系方式：[姓名已删除] [手机号已删除]"
    assert redact("联系人：李总，0755-12345678")[0] == "联系人：[姓名已删除]，0755-12345678"
    assert redact("，张主任，")[0] == "，[姓名已删除]，"
    for text in ["（施工）", "员工 10人", "化工 园区", "汪工程师负责"]:
        assert redact(text)[0] == text


def test_committees_named_in_sentences_tables_and_run_on_lines():
    out, _ = redact("磋商小组（唐某军、苏某琴、韦某栋）按磋商文件规定的评审办法评审完毕。\n"
                    "询价小组由孟某丰、柴某兰、俞某平组成，报价情况如下：\n"
                    "协商小组：白音某某格、巴某尔、王某东\n"
                    "评标委员会成员名单：\n序号\t姓名\t单位\n1\t吴某婷\t省评审专家库\n2\t李某\t专家库\n3\t赵某\t专家库\n"
                    "4\t钱某\t专家库\n5\t田某林\t某市公安局\n公告时间：2022年4月7日\n"
                    "六、评审专家：周某\n贾某升、牛某艳\n七、公告日期：2021年7月29日")
    for name in ("唐某军", "苏某琴", "韦某栋", "孟某丰", "俞某平", "白音某某格", "巴某尔", "吴某婷", "田某林", "贾某升", "牛某艳"):
        assert name not in out, name
    for kept in ("按磋商文件规定的评审办法评审完毕", "组成，报价情况如下", "公告时间：2022年4月7日", "七、公告日期"):
        assert kept in out, kept


def test_a_row_per_role_in_a_table_with_a_column_per_candidate():
    out, _ = redact("\t第一中标候选人\t第二中标候选人\t第三中标候选人\n投标人名称\t甲科技有限公司\t乙科技有限公司\t丙工程有限公司\n"
                    "项目负责人\t郑某杰\t缪某清\t阮某鸿\n公示期为三个工作日。")
    assert not any(n in out for n in ("郑某杰", "缪某清", "阮某鸿"))
    assert "乙科技有限公司" in out and "公示期为三个工作日" in out


def test_signatures_and_representatives():
    out, _ = redact("二〇二三年十一月二十日于司法警察局\n局长　区某成\n授权代表：方某诚\n局长办公室负责本项目")
    assert "区某成" not in out and "方某诚" not in out
    assert "局长办公室负责本项目" in out and "司法警察局" in out


def test_a_committee_on_a_page_flattened_to_one_line_takes_its_names_only():
    # The numbered clauses run into one line: the list ends where its names end, the rest stays evidence.
    text = ("2.评审地点：某市某路8号评标厅3.评审委员会负责人：陈剑锋4.评审委员会成员：覃进良、何辉、李中贞、黄德初"
            "5.评审意见 中标金额：人民币100万元")
    out, _ = redact(text)
    assert not any(n in out for n in ("陈剑锋", "覃进良", "何辉", "李中贞", "黄德初"))
    assert out.endswith("5.评审意见 中标金额：人民币100万元")
    out, _ = redact("九、验收组成员：王若礼，马叶彤十、验收意见：验收通过")
    assert "王若礼" not in out and "马叶彤" not in out and out.endswith("十、验收意见：验收通过")


def test_a_numbered_committee_label_without_a_colon_and_names_with_notes():
    out, _ = redact("六、 评审专家名单 廖良锋(包1采购人代表)、汪学斌(包1组长)、任红军(包1) 七、评审信息")
    assert not any(n in out for n in ("廖良锋", "汪学斌", "任红军"))
    assert out.endswith(" 七、评审信息")
    # A list that runs on to the next line after its last separator is still one list.
    out, _ = redact("六、评审专家：谭立群、孔繁星、邵美玲、\n贾东升、牛春艳\n七、公告日期：2021年7月29日")
    assert not any(n in out for n in ("谭立群", "邵美玲", "贾东升", "牛春艳"))


def test_a_contact_name_before_its_number_after_a_contact_label():
    out, _ = redact("采购代理机构联系方式：黄圣凤；电话:0771-2851243 采购人联系方式：刘径平0756-2121316")
    assert "黄圣凤" not in out and "刘径平" not in out and "0771-2851243" in out
    # An institution there is no one's name.
    out, _ = redact("代理机构联系方式：广西某某招标中心，电话0771-1234567")
    assert "广西某某招标中心" in out


def test_personal_labels_in_a_table_flattened_with_spaces():
    out, _ = redact("公告时间 2022年11月12日 09:30 评审专家名单 徐涛，林涛，孙洋 总中标金额 ￥180.93 万元 项目联系人 王建国 项目联系电话 0871-1234567")
    assert not any(n in out for n in ("徐涛", "林涛", "孙洋", "王建国"))
    assert "总中标金额 ￥180.93 万元" in out


def test_a_bidders_roster_flattened_with_spaces():
    out, _ = redact("履约期限(天): 541 给排水专业负责人 高秀英,注册监理工程师·房屋建筑工程,420105198001011234 "
                    "项目经理（项目负责人） 高静,安全生产考核合格证(B证),鄂124262451908 施工员 吴伟,安全员证,鄂1537562 公告发布日期: 2018-01-04")
    assert not any(x in out for x in ("高秀英", "高静", "吴伟", "鄂124262451908", "420105198001011234"))
    assert out.startswith("履约期限(天): 541 给排水专业负责人 ") and out.endswith(" 公告发布日期: 2018-01-04")


def test_names_under_any_list_of_people_even_a_label_misread_by_ocr():
    # OCR dropped the first character of 磋商小组成员名单: the names under it are still a list of people.
    out, _ = redact("六、商小组成员名单：\n张伟、李娜、王芳\n七、其他补充事宜")
    assert not any(n in out for n in ("张伟", "李娜", "王芳")) and out.endswith("七、其他补充事宜")
    # On a scanned page the seal's text is read beside the names, in a cell of its own.
    out, _ = redact("六、商小组成员名单：\n郑强，何丽，曹军\t★采购专用章\n")
    assert not any(n in out for n in ("郑强", "何丽", "曹军")) and "★采购专用章" in out
    # A list of suppliers or brands is evidence, whatever the length of their names.
    out, _ = redact("入围供应商名单：\n华为、中兴、大华\n")
    assert "华为、中兴、大华" in out


def test_a_place_after_a_contact_label_is_no_ones_name():
    out, _ = redact("联系方式：黄山市，电话0559-1234567 采购单位联系方式：文铭；电话：0771-3836260")
    assert "黄山市" in out and "文铭" not in out
