// The shipped rule sets: id → name in each language (the demo's and the authoring page's pickers).

export const RULESETS = {
  "baotou-rare-earth-zone": { "zh-CN": "包头稀土高新区 博士后及人才支持", en: "Baotou Rare Earth Zone: postdoctoral and talent support" },
  "guangzhou-tianhe": { "zh-CN": "广州天河区 博士后、博士工作站", en: "Guangzhou Tianhe: postdoctoral and doctoral workstations" },
  "zibo": { "zh-CN": "淄博市 人才住房补贴", en: "Zibo: talent housing subsidies" },
  "shenyang": { "zh-CN": "沈阳市 博士后留企生活补贴", en: "Shenyang: living subsidy for postdocs in enterprises" },
  "changsha": { "zh-CN": "长沙市 毕业生生活补贴与首套购房补贴", en: "Changsha: graduate living allowance and first-home subsidy" },
  "zhongshan": { "zh-CN": "中山市 博士后生活补贴与留中山补贴", en: "Zhongshan: postdoctoral living and retention allowances" },
  "guangzhou-zengcheng": { "zh-CN": "广州增城区 博士后生活补贴（2024–2029）", en: "Guangzhou Zengcheng: postdoc living allowance (2024–2029)" },
};
