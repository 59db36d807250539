// SPDX-License-Identifier: MIT
/*
 * The demo data's fixed lists: see catalog.h. Province populations are the
 * 2023 address-based census figures (TÜİK), rounded to thousands; they only
 * weight the draw.
 */
#include "catalog.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct dd_topic dd_topics[] = {
    {"egitim",
     "Eğitim",
     "MEB",
     false,
     14,
     {"Okul servis ücretleri", "Öğretmen ataması", "Okul binasının bakımı",
      "Ders kitaplarının dağıtımı"}},
    {"saglik",
     "Sağlık",
     "SAGLIK",
     false,
     16,
     {"Hastane randevu sistemi", "Aile hekimi değişikliği", "Acil servisteki bekleme süresi",
      "İlaç temininde yaşanan gecikme"}},
    {"ulasim",
     "Ulaşım",
     "UAB",
     false,
     8,
     {"Karayolundaki bozuk asfalt", "Şehirlerarası otobüs seferleri", "Köprü bakım çalışması",
      "Trafik işaretlerinin eksikliği"}},
    {"cevre",
     "Çevre",
     "CSB",
     false,
     6,
     {"Dereye atık boşaltılması", "Hava kirliliği ölçümleri", "Kaçak yapılaşma",
      "Geri dönüşüm kutularının yetersizliği"}},
    {"belediye_hizmetleri",
     "Belediye hizmetleri",
     "ICISLERI",
     false,
     12,
     {"Mahalledeki çöp toplama", "Sokak aydınlatması", "Su kesintileri",
      "Park ve bahçelerin bakımı"}},
    {"guvenlik",
     "Güvenlik",
     "ICISLERI-EGM",
     false,
     7,
     {"Mahallede artan hırsızlık olayları", "Gürültü ve asayiş sorunu",
      "Trafik denetimlerinin yetersizliği", "Okul çevresindeki güvenlik"}},
    {"sosyal_yardim",
     "Sosyal yardım",
     "AILE",
     false,
     7,
     {"Sosyal yardım başvurusu", "Engelli aylığı ödemesi", "Yaşlı bakım hizmeti",
      "Kreş ve gündüz bakım desteği"}},
    {"calisma_hayati",
     "Çalışma hayatı",
     "CSGB",
     false,
     6,
     {"Ödenmeyen işçi ücretleri", "Sigorta primlerinin yatırılmaması", "Emeklilik hesaplaması",
      "İş sağlığı ve güvenliği"}},
    {"vergi_maliye",
     "Vergi ve maliye",
     "HMB",
     false,
     4,
     {"Vergi borcu yapılandırması", "Emlak vergisi hesaplaması", "Gümrük işlemleri",
      "Vergi iadesinin gecikmesi"}},
    {"tarim_orman",
     "Tarım ve orman",
     "TARIM",
     false,
     4,
     {"Tarımsal destek ödemeleri", "Orman yangını önlemleri", "Hayvancılık desteği",
      "Sulama kanalının bakımı"}},
    {"adalet",
     "Adalet",
     "ADALET",
     false,
     3,
     {"İcra dairesindeki işlemler", "Ceza infaz kurumu ziyaretleri", "Arabuluculuk süreci",
      "Adli sicil kaydı"}},
    {"enerji",
     "Enerji",
     "ENERJI",
     false,
     3,
     {"Elektrik kesintileri", "Doğal gaz abonelik işlemleri", "Fatura itirazı",
      "Güneş enerjisi lisansı"}},
    {"ticaret_tuketici",
     "Ticaret ve tüketici",
     "TICARET",
     false,
     3,
     {"Ayıplı mal iadesi", "Fahiş fiyat uygulaması", "Esnaf ruhsatı", "Kooperatif denetimi"}},
    {"kultur_turizm",
     "Kültür ve turizm",
     "KTB",
     false,
     2,
     {"Tarihi eserin korunması", "Müze ziyaret saatleri", "Turizm belgesi",
      "Kütüphane hizmetleri"}},
    {"genclik_spor",
     "Gençlik ve spor",
     "GSB",
     false,
     2,
     {"Yurt başvurusu", "Burs ödemesi", "Spor salonunun kullanımı",
      "Gençlik merkezi etkinlikleri"}},
    {"sanayi_teknoloji",
     "Sanayi ve teknoloji",
     "SANAYI",
     false,
     1,
     {"Organize sanayi bölgesi altyapısı", "Ar-Ge desteği", "Patent başvurusu",
      "Sanayi sicil belgesi"}},
    {"dis_isleri",
     "Dış işleri",
     "DISISLERI",
     true,
     1,
     {"Yurt dışındaki vatandaşların işlemleri", "Konsolosluk randevusu", "Vize işlemleri",
      "Apostil onayı"}},
    {"askerlik",
     "Askerlik",
     "MSB",
     true,
     1,
     {"Bedelli askerlik ödemesi", "Askerlik erteleme işlemi", "Sevk tarihinin değişikliği",
      "Yoklama kaçağı kaydı"}},
    {"diger",
     "Diğer",
     "ICISLERI",
     false,
     4,
     {"Kamu hizmetlerindeki aksaklık", "Personelin tutumu", "Resmi yazışmaların gecikmesi",
      "Bilgilendirme eksikliği"}},
};
const size_t dd_ntopics = N(dd_topics);

const double dd_province_population[82] = {
    0,    2270, 635,  747,  510,  338,  5803,  2696, 169, 1162, 1273, 228, 285,  353,
    320,  274,  3214, 563,  196,  525,  1059,  1818, 415, 591,  240,  750, 907,  2165,
    450,  144,  287,  1544, 449,  1916, 15655, 4479, 274, 388,  1445, 369, 244,  2102,
    2320, 580,  742,  1468, 1116, 870,  1066,  399,  310, 365,  763,  345, 1098, 1377,
    331,  221,  646,  1143, 596,  822,  89,    2213, 375, 1128, 418,  588, 433,  86,
    260,  278,  634,  557,  203,  92,   204,   296,  252, 155,  559,  409,
};

const char *const dd_female_names[] = {
    "Ayşe",   "Fatma",  "Emine", "Hatice", "Zeynep", "Elif",    "Meryem", "Şerife", "Zehra",
    "Sultan", "Hanife", "Merve", "Esra",   "Büşra",  "Özlem",   "Gül",    "Derya",  "Selin",
    "Ebru",   "Nur",    "Deniz", "Gamze",  "Tuğba",  "Yasemin", "Cansu",  "İrem",   "Sibel"};
const char *const dd_male_names[] = {
    "Mehmet", "Mustafa", "Ahmet",  "Ali",     "Hüseyin", "Hasan",    "İbrahim",  "İsmail", "Osman",
    "Yusuf",  "Murat",   "Ömer",   "Ramazan", "Halil",   "Süleyman", "Abdullah", "Mahmut", "Recep",
    "Emre",   "Burak",   "Serkan", "Onur",    "Kemal",   "Cem",      "Tolga",    "Uğur",   "Barış"};
const char *const dd_last_names[] = {
    "Yılmaz",  "Kaya",    "Demir", "Şahin",  "Çelik",   "Yıldız", "Yıldırım", "Öztürk", "Aydın",
    "Özdemir", "Arslan",  "Doğan", "Kılıç",  "Aslan",   "Çetin",  "Kara",     "Koç",    "Kurt",
    "Özkan",   "Şimşek",  "Polat", "Özer",   "Erdoğan", "Güneş",  "Aksoy",    "Aktaş",  "Bulut",
    "Keskin",  "Ünal",    "Tekin", "Kaplan", "Avcı",    "Turan",  "Karaca",   "Uçar",   "Sarı",
    "Coşkun",  "Bozkurt", "Işık",  "Tan",    "Güler",   "Eren",   "Acar",     "Altun",  "Uysal"};
const size_t dd_nfemale = N(dd_female_names), dd_nmale = N(dd_male_names),
             dd_nlast = N(dd_last_names);

const char *const dd_neighbourhoods[] = {
    "Cumhuriyet", "Atatürk",  "Yenimahalle", "Fatih",    "Gazi",     "Bahçelievler", "Mimar Sinan",
    "Zafer",      "Esentepe", "Kültür",      "İstiklal", "Hürriyet", "Yavuz Selim",  "Barbaros"};
const char *const dd_streets[] = {"Lale",  "Menekşe", "Çınar",  "Akasya",  "Papatya", "Kardelen",
                                  "Söğüt", "Zambak",  "Gül",    "Nergis",  "Ihlamur", "Manolya",
                                  "Sedir", "Ardıç",   "Orkide", "Begonvil"};
const size_t dd_nneighbourhoods = N(dd_neighbourhoods), dd_nstreets = N(dd_streets);

const char *dd_subject_suffix(const char *category)
{
	static const char *const pairs[][2] = {
	    {"istek", " hakkında talep"}, {"sikayet", " hakkında şikayet"},
	    {"ihbar", " hakkında ihbar"}, {"gorus", " hakkında görüş"},
	    {"oneri", " hakkında öneri"}, {"bilgi_edinme", " hakkında bilgi edinme talebi"}};
	for (size_t i = 0; i < N(pairs); i++)
		if (!strcmp(pairs[i][0], category))
			return pairs[i][1];
	return "";
}

const char *dd_opening(const char *category)
{
	static const char *const pairs[][2] = {
	    {"istek", "konusunda gereğinin yapılmasını talep ediyorum."},
	    {"sikayet", "konusunda yaşadığım sorunu bildirmek ve şikayetimi iletmek istiyorum."},
	    {"ihbar", "konusunda dikkatimi çeken usulsüzlüğü ihbar ediyorum."},
	    {"gorus", "konusundaki görüşlerimi paylaşmak istiyorum."},
	    {"oneri", "konusunda bir önerimi iletmek istiyorum."},
	    {"bilgi_edinme", "konusunda 4982 sayılı Bilgi Edinme Hakkı Kanunu uyarınca aşağıdaki "
	                     "bilgilerin tarafıma verilmesini talep ediyorum."}};
	for (size_t i = 0; i < N(pairs); i++)
		if (!strcmp(pairs[i][0], category))
			return pairs[i][1];
	return "konusunda başvuruda bulunuyorum.";
}

const char *const dd_details[] = {
    "Sorun yaklaşık üç aydır devam etmekte ve mahalle sakinlerini olumsuz etkilemektedir.",
    "Daha önce ilgili birime sözlü olarak bildirmeme rağmen bir sonuç alamadım.",
    "Konuyla ilgili belgeler ekte sunulmuş olup ayrıntılı bilgi verebilirim.",
    "Benzer şikayetlerin çevremdeki başka kişiler tarafından da dile getirildiğini biliyorum.",
    "Konunun bir an önce incelenmesini ve tarafıma bilgi verilmesini rica ediyorum.",
    "Son bir yıl içindeki uygulamaya ilişkin sayısal verilerin paylaşılmasını istiyorum.",
    "Bu durum özellikle yaşlılar ve çocuklar için ciddi bir sorun oluşturmaktadır.",
    "İlgili mevzuat hükümlerinin açıklanmasını ve yapılacak işlemin bildirilmesini istiyorum."};
const char *const dd_closings[] = {"Gereğini saygılarımla arz ederim.",
                                   "Bilgilerinize saygılarımla sunarım.",
                                   "İlginiz için şimdiden teşekkür ederim."};
const size_t dd_ndetails = N(dd_details), dd_nclosings = N(dd_closings);

const struct dd_reason dd_petition_reasons[] = {
    {"NO_SUBJECT", 18, "konusu belirli olmadığından"},
    {"JUDICIAL", 24, "yargı mercilerinin görev alanına girdiğinden"},
    {"MISSING_IDENTITY", 6, "kimlik ve adres bilgileri eksik olduğundan"},
    {"INSULT_PERSONAL_RIGHTS", 5, "kişilik haklarına saldırı niteliği taşıdığından"},
    {"FALSE_ACCUSATION", 5, "asılsız suçlama içerdiğinden"},
    {"INSTITUTION_OUT_OF_SCOPE", 14, "BİMER kapsamı dışındaki bir kuruma ilişkin olduğundan"},
    {"REPEAT_NO_NEW_EVIDENCE", 20,
     "daha önce cevaplanan bir başvurunun yeni bilgi içermeyen tekrarı olduğundan"},
};
const struct dd_reason dd_info_reasons[] = {
    {"BE_PUBLISHED", 40, "istenen bilgi kurumun internet sitesinde yayımlanmış olduğundan"},
    {"BE_NEEDS_RESEARCH", 35, "ayrı bir çalışma ve araştırma gerektirdiğinden (4982 md. 7)"},
    {"BE_INCOMPLETE_ACT", 15, "tamamlanmamış bir işleme ilişkin olduğundan (4982 md. 7)"},
    {"BE_FEE_UNPAID_WITHDRAWN", 10,
     "bildirilen ücret süresinde ödenmediğinden geri çekilmiş sayıldığından (4982 md. 11)"},
};
const struct dd_reason dd_info_exceptions[] = {
    {"BE_EXC_16", 2, "devlet sırrı niteliğinde olduğundan (4982 md. 16)"},
    {"BE_EXC_17", 2, "ülkenin ekonomik çıkarlarına ilişkin olduğundan (4982 md. 17)"},
    {"BE_EXC_18", 1, "istihbarata ilişkin olduğundan (4982 md. 18)"},
    {"BE_EXC_19", 12, "idari soruşturmaya ilişkin olduğundan (4982 md. 19)"},
    {"BE_EXC_20", 8, "adli soruşturma ve kovuşturmaya ilişkin olduğundan (4982 md. 20)"},
    {"BE_EXC_21", 25, "özel hayatın gizliliği kapsamında olduğundan (4982 md. 21)"},
    {"BE_EXC_22", 4, "haberleşmenin gizliliği kapsamında olduğundan (4982 md. 22)"},
    {"BE_EXC_23", 8, "ticari sır niteliğinde olduğundan (4982 md. 23)"},
    {"BE_EXC_24", 3, "fikir ve sanat eserlerine ilişkin olduğundan (4982 md. 24)"},
    {"BE_EXC_25", 10, "kurum içi düzenlemelere ilişkin olduğundan (4982 md. 25)"},
    {"BE_EXC_26", 15, "kurum içi görüş ve bilgi notlarına ilişkin olduğundan (4982 md. 26)"},
    {"BE_EXC_27", 10, "tavsiye ve mütalaa talebi niteliğinde olduğundan (4982 md. 27)"},
};
const size_t dd_npetition_reasons = N(dd_petition_reasons), dd_ninfo_reasons = N(dd_info_reasons),
             dd_ninfo_exceptions = N(dd_info_exceptions);

const char *const dd_positive_texts[] = {
    "Başvurunuz incelenmiş olup talebiniz doğrultusunda gerekli işlemler başlatılmıştır.",
    "Bildirdiğiniz sorun ilgili birimimizce giderilmiş olup bilgilerinize sunulur.",
    "Talep ettiğiniz bilgiler aşağıda sunulmuştur; ilginiz için teşekkür ederiz.",
    "Başvurunuz değerlendirilmiş ve önerileriniz çalışmalarımızda dikkate alınmıştır."};
const char *const dd_negative_texts[] = {
    "Başvurunuz incelenmiş; ilgili mevzuat hükümleri gereğince talebinizin karşılanması mümkün "
    "görülmemiştir.",
    "Yapılan inceleme sonucunda bildirdiğiniz hususlarda bir aykırılık tespit edilmemiştir.",
    "Talebiniz değerlendirilmiş, ancak bütçe ve planlama imkanları nedeniyle bu aşamada "
    "karşılanamamıştır."};
const char *const dd_partial_texts[] = {
    "Başvurunuzdaki taleplerin bir kısmı karşılanmış, diğerleri için gerekçeler aşağıda "
    "açıklanmıştır.",
    "Talep ettiğiniz bilgilerin bir bölümü sunulmuş, kalan kısmı için gerekçe aşağıda "
    "belirtilmiştir."};
const size_t dd_npositive = N(dd_positive_texts), dd_nnegative = N(dd_negative_texts),
             dd_npartial = N(dd_partial_texts);

const char *const dd_cancel_notes[] = {"Sorunum çözüldüğü için başvurumu geri çekiyorum.",
                                       "Başvurumu yanlışlıkla iki kez gönderdim.",
                                       "Konuyu ilgili kurumla doğrudan görüştüm."};
const char *const dd_extension_reasons[] = {
    "İstenen bilgi başka bir birimden temin edileceğinden süre uzatılmıştır.",
    "Cevap için başka bir kurumun görüşü alınacağından süre 30 iş gününe uzatılmıştır."};
const char *const dd_appeal_reasons[] = {
    "Kurumun ret gerekçesi Kanunun istisna hükümlerine uymamaktadır; bilgilerin verilmesini "
    "talep ediyorum.",
    "Başvuruma süresi içinde cevap verilmemiştir; bilgi edinme hakkımın yerine getirilmesini "
    "istiyorum.",
    "Verilen cevap eksik olup istediğim bilgilerin tamamı sunulmamıştır."};
const size_t dd_ncancel_notes = N(dd_cancel_notes), dd_nextension_reasons = N(dd_extension_reasons),
             dd_nappeal_reasons = N(dd_appeal_reasons);

const char *dd_decision_text(const char *decision, size_t pick)
{
	static const char *const accepted[] = {
	    "Kurul, istenen bilginin istisna kapsamında olmadığına ve başvurana verilmesine karar "
	    "vermiştir.",
	    "İtiraz yerinde görülmüş; kurumun başvuruyu yeniden değerlendirmesine karar "
	    "verilmiştir."};
	static const char *const partial[] = {
	    "Kurul, istenen bilgilerin kişisel veriler ayıklanarak kısmen verilmesine karar "
	    "vermiştir."};
	static const char *const rejected[] = {
	    "Kurul, kurumun ret gerekçesini Kanunun istisna hükümlerine uygun bulmuş ve itirazı "
	    "reddetmiştir.",
	    "İstenen bilgi ayrı bir çalışma gerektirdiğinden itirazın reddine karar verilmiştir."};
	if (!strcmp(decision, "accepted"))
		return accepted[pick % N(accepted)];
	if (!strcmp(decision, "partially_accepted"))
		return partial[pick % N(partial)];
	return rejected[pick % N(rejected)];
}
