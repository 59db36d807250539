// SPDX-License-Identifier: MIT
/*
 * Turkish labels for the API's machine values (design.md: "The UI shows Turkish
 * labels"): statuses, types, categories, channels, outcomes, reason codes with the
 * article of law they rest on, event kinds, appeal decisions, institution kinds and
 * roles. A value without a label is shown as it is, never hidden.
 */

export const STATUS = {
  awaiting_verification: 'E-posta doğrulaması bekleniyor',
  received: 'Alındı',
  in_progress: 'İşlemde',
  answered: 'Cevaplandı',
  not_processed: 'İşleme alınmadı',
  cancelled: 'İptal edildi',
  deemed_rejected: 'Reddedilmiş sayıldı',
  expired: 'Doğrulanmadığı için geçersiz',
};

export const TYPE = {
  dilekce: 'Dilekçe (3071 sayılı Kanun)',
  bilgi_edinme: 'Bilgi edinme başvurusu (4982 sayılı Kanun)',
};

export const CATEGORY = {
  istek: 'İstek',
  sikayet: 'Şikâyet',
  ihbar: 'İhbar',
  gorus: 'Görüş',
  oneri: 'Öneri',
};

export const CHANNEL = {
  internet: 'İnternet',
  phone: 'Telefon (Alo 150)',
  fax: 'Faks',
  letter: 'Mektup',
  in_person: 'Şahsen (halkla ilişkiler birimi)',
  email: 'E-posta',
};

export const OUTCOME = {
  positive: 'Olumlu',
  negative: 'Olumsuz',
  partial: 'Kısmen olumlu',
  not_processed: 'İşleme alınmadı',
};

export const REASON = {
  NO_SUBJECT: 'Konusu belli değil (3071 md. 6/a)',
  JUDICIAL: 'Yargı mercilerinin önünde, yargı kararına bağlanmış ya da soruşturma/kovuşturma konusu (3071 md. 6/b)',
  MISSING_IDENTITY: 'Ad, soyad, adres ya da imza eksik (3071 md. 4, 6/c)',
  ANON_NO_EVIDENCE: 'İsimsiz başvuru somut bilgi ya da ciddi belgeye dayanmıyor (4483 md. 4)',
  INSULT_PERSONAL_RIGHTS: 'Hakaret ya da kişilik haklarına saldırı içeriyor',
  FALSE_ACCUSATION: 'Asılsız isnat içeriyor',
  FOREIGNER_INELIGIBLE: 'Yabancı başvuru sahibi bu başvuruyu yapamaz (3071 md. 3, 4982 md. 4)',
  INSTITUTION_OUT_OF_SCOPE: 'Sistemin dışındaki bir kurumun görev alanında',
  REPEAT_NO_NEW_EVIDENCE: 'Yeni bilgi ya da belge içermeyen tekrar başvuru (4483 md. 5)',
  BE_MISSING_TCKN_OR_FORM: 'T.C. kimlik numarası ya da başvuru formu eksik (bilgi edinme)',
  BE_PHONE_NOT_ALLOWED: 'Bilgi edinme başvurusu telefonla yapılamaz',
  BE_PUBLISHED: 'Bilgi kamuya açıklanmış; yayımlandığı yer bildirildi (4982 md. 8)',
  BE_NEEDS_RESEARCH: 'Ayrı bir çalışma, araştırma ya da inceleme gerektiriyor (4982 md. 7)',
  BE_INCOMPLETE_ACT: 'Bilgi ya da belge kurumda bulunmuyor veya işlem tamamlanmamış (4982 md. 7)',
  BE_FEE_UNPAID_WITHDRAWN: 'Ücret süresinde ödenmediği için geri çekilmiş sayıldı (4982 md. 11)',
  BE_EXC_16: 'Devlet sırrı (4982 md. 16)',
  BE_EXC_17: 'Ülkenin ekonomik çıkarları (4982 md. 17)',
  BE_EXC_18: 'İstihbarat (4982 md. 18)',
  BE_EXC_19: 'İdari soruşturma (4982 md. 19)',
  BE_EXC_20: 'Adli soruşturma ve kovuşturma (4982 md. 20)',
  BE_EXC_21: 'Özel hayatın gizliliği (4982 md. 21)',
  BE_EXC_22: 'Haberleşmenin gizliliği (4982 md. 22)',
  BE_EXC_23: 'Ticari sır (4982 md. 23)',
  BE_EXC_24: 'Fikir ve sanat eserleri (4982 md. 24)',
  BE_EXC_25: 'Kurum içi düzenlemeler (4982 md. 25)',
  BE_EXC_26: 'Kurum içi görüş, bilgi notu ve tavsiyeler (4982 md. 26)',
  BE_EXC_27: 'Tavsiye ve mütalaa talepleri (4982 md. 27)',
};

export const EVENT = {
  submitted: 'Başvuru yapıldı',
  received: 'Başvuru alındı',
  routed: 'İlgili kuruma yönlendirildi',
  forwarded: 'Başka bir birime iletildi',
  extended: 'Cevap süresi uzatıldı',
  answered: 'Cevaplandı',
  not_processed: 'İşleme alınmadı',
  cancelled: 'İptal edildi',
  overdue: 'Cevap süresi aşıldı',
  deemed_rejected: 'Reddedilmiş sayıldı',
  expired: 'Doğrulanmadığı için geçersiz oldu',
  appeal_filed: "Bilgi Edinme Değerlendirme Kurulu'na itiraz edildi",
  appeal_information_requested: 'Kurul, kurumdan bilgi istedi',
  appeal_information_answered: "Kurum, Kurul'a bilgi verdi",
  appeal_decided: 'Kurul itirazı karara bağladı',
  reopened: 'Kurul kararıyla yeniden incelemeye alındı',
  reminder_sent: 'Kuruma süre hatırlatması gönderildi',
  staff_read: 'Personel kaydı görüntüledi',
  anonymised: 'Saklama süresi dolduğu için kişisel veriler anonimleştirildi',
};

export const APPEAL_STATUS = {
  appeal_filed: 'İtiraz edildi, karar bekleniyor',
  appeal_decided: 'Karara bağlandı',
};

export const DECISION = {
  accepted: 'Kabul',
  partially_accepted: 'Kısmen kabul',
  rejected: 'Ret',
};

export const GROUND = {
  answered: 'Olumsuz ya da kısmen olumlu cevap',
  not_processed: 'İşleme alınmama',
  deemed_rejected: 'Süresinde cevap verilmemesi (zımni ret)',
};

export const KIND = {
  centre: 'Merkez',
  ministry: 'Bakanlık',
  general_directorate: 'Genel müdürlük',
  department: 'Daire başkanlığı',
  governorship: 'Valilik',
  district_governorship: 'Kaymakamlık',
  provincial_directorate: 'İl müdürlüğü',
  regional_directorate: 'Bölge müdürlüğü',
  ethics_board: 'Etik kurul',
  bedk: 'Bilgi Edinme Değerlendirme Kurulu',
  external: 'Sistem dışı kurum',
};

export const ROLE = {
  operator: 'BİMER operatörü',
  institution_user: 'Kurum kullanıcısı',
  coordinator: 'Koordinatör',
  bedk_member: 'BEDK üyesi',
  administrator: 'Yönetici',
};

/** The centre's topic list (the same codes as the demo data, README "Demo data at scale"), offered by the
 *  forms and labelled in the staff pages and reports; the API accepts any lower-case code. */
export const TOPIC = {
  egitim: 'Eğitim',
  saglik: 'Sağlık',
  ulasim: 'Ulaşım',
  cevre: 'Çevre',
  belediye_hizmetleri: 'Belediye hizmetleri',
  guvenlik: 'Güvenlik',
  sosyal_yardim: 'Sosyal yardım',
  calisma_hayati: 'Çalışma hayatı',
  vergi_maliye: 'Vergi ve maliye',
  tarim_orman: 'Tarım ve orman',
  adalet: 'Adalet',
  enerji: 'Enerji',
  ticaret_tuketici: 'Ticaret ve tüketici',
  kultur_turizm: 'Kültür ve turizm',
  genclik_spor: 'Gençlik ve spor',
  sanayi_teknoloji: 'Sanayi ve teknoloji',
  dis_isleri: 'Dış işleri',
  askerlik: 'Askerlik',
  diger: 'Diğer',
};

/** The label of a value in one of the maps above, or the value itself. */
export function label(map, value) {
  if (value === null || value === undefined || value === '') return '—';
  return map[value] || String(value);
}
