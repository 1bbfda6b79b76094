/** Which art. 75 inciso caps a dispensa by value: I = obras/serviços de engenharia/manutenção de veículos, II = the rest. */
export type DispensaInciso = 'I' | 'II';

export interface ObjectCategory {
  readonly key: string;
  readonly label: string;
  /** Matched against the accent-free lower-case objeto; first category that matches wins. */
  readonly pattern: RegExp;
  readonly inciso: DispensaInciso;
  /** Art. 125: 50% for reforma de edifício ou de equipamento, 25% otherwise. */
  readonly amendmentLimit: number;
  /** Synthetic data only: median contract value (BRL) and log-normal spread. */
  readonly medianValue: number;
  readonly sigma: number;
  readonly prefix: string;
  readonly items: readonly string[];
}

const c = (category: ObjectCategory): ObjectCategory => category;

export const OBJECT_CATEGORIES: readonly ObjectCategory[] = [
  c({ key: 'reforma', label: 'reforma de edificações', pattern: /\breforma/, inciso: 'I', amendmentLimit: 0.5, medianValue: 650_000, sigma: 0.8, prefix: 'Reforma', items: ['do edifício sede', 'do telhado do bloco administrativo', 'das instalações elétricas', 'dos sanitários do anexo', 'da fachada principal', 'do almoxarifado central', 'da cobertura do ginásio', 'do auditório'] }),
  c({ key: 'obras', label: 'obras e serviços de engenharia', pattern: /\b(obra|construcao|pavimentacao|ampliacao|drenagem)/, inciso: 'I', amendmentLimit: 0.25, medianValue: 3_500_000, sigma: 0.9, prefix: 'Execução de obra de', items: ['construção de unidade básica de saúde', 'pavimentação de via de acesso', 'construção de bloco de salas de aula', 'ampliação do pronto atendimento', 'drenagem pluvial do campus', 'construção de quadra poliesportiva', 'ampliação da estação de tratamento', 'construção de passarela'] }),
  c({ key: 'manutencao_veiculos', label: 'manutenção de veículos', pattern: /\bmanutencao\b.*\bveicul/, inciso: 'I', amendmentLimit: 0.25, medianValue: 110_000, sigma: 0.8, prefix: 'Serviços de manutenção', items: ['preventiva de veículos leves da frota', 'corretiva de veículos pesados', 'de ambulâncias e veículos de apoio', 'de motocicletas e veículos da frota oficial', 'com fornecimento de peças para veículos', 'de ônibus e veículos de transporte coletivo'] }),
  c({ key: 'manutencao_predial', label: 'manutenção predial', pattern: /\bmanutencao\b.*\b(predial|ar condicionado|elevador)/, inciso: 'I', amendmentLimit: 0.25, medianValue: 420_000, sigma: 0.8, prefix: 'Prestação de serviços de manutenção', items: ['predial preventiva e corretiva', 'de sistemas de ar condicionado', 'de elevadores', 'predial com fornecimento de materiais', 'de subestação e grupo gerador predial', 'predial de redes hidráulicas'] }),
  c({ key: 'limpeza', label: 'limpeza e conservação', pattern: /\b(limpeza|conservacao)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 900_000, sigma: 0.8, prefix: 'Prestação de serviços continuados de limpeza e conservação', items: ['das áreas internas', 'das áreas externas', 'hospitalar', 'com fornecimento de materiais', 'de vidros e fachadas', 'das unidades descentralizadas'] }),
  c({ key: 'ti_software', label: 'software e serviços de TI', pattern: /\b(software|sistema de gestao|licenc|desenvolvimento de sistema)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 350_000, sigma: 0.8, prefix: 'Licenciamento de software', items: ['de gestão hospitalar', 'antivírus corporativo', 'de banco de dados', 'de escritório', 'de gestão acadêmica', 'de backup corporativo', 'de geoprocessamento'] }),
  c({ key: 'medicamentos', label: 'medicamentos', pattern: /\b(medicament|farmac|vacina|insulina)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 180_000, sigma: 0.8, prefix: 'Aquisição de medicamentos:', items: ['dipirona sódica 500mg', 'amoxicilina 500mg', 'insulina humana NPH', 'omeprazol 20mg', 'losartana potássica 50mg', 'ceftriaxona 1g', 'heparina sódica 5000UI', 'paracetamol 750mg'] }),
  c({ key: 'equipamentos_medicos', label: 'equipamentos médicos', pattern: /\bequipamentos? medic/, inciso: 'II', amendmentLimit: 0.25, medianValue: 1_200_000, sigma: 0.8, prefix: 'Aquisição de equipamentos médicos:', items: ['tomógrafo computadorizado', 'monitores multiparamétricos', 'ventiladores pulmonares', 'aparelho de ultrassom', 'desfibriladores', 'mesas cirúrgicas', 'autoclaves hospitalares'] }),
  c({ key: 'material_hospitalar', label: 'material médico-hospitalar', pattern: /\b(material medico|hospitalar|seringa|luva)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 95_000, sigma: 0.8, prefix: 'Aquisição de material médico-hospitalar:', items: ['luvas de procedimento', 'seringas descartáveis', 'cateteres venosos', 'máscaras cirúrgicas', 'gazes estéreis', 'equipos de infusão', 'aventais descartáveis', 'sondas vesicais'] }),
  c({ key: 'ti_equipamentos', label: 'equipamentos de informática', pattern: /\b(computador|notebook|servidores de rede|switch|impressora|informatica)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 260_000, sigma: 0.8, prefix: 'Aquisição de equipamentos de informática:', items: ['computadores desktop', 'notebooks', 'servidores de rede', 'switches gerenciáveis', 'impressoras multifuncionais', 'monitores de vídeo', 'nobreaks'] }),
  c({ key: 'vigilancia', label: 'vigilância patrimonial', pattern: /\bvigilancia/, inciso: 'II', amendmentLimit: 0.25, medianValue: 1_100_000, sigma: 0.8, prefix: 'Prestação de serviços de vigilância', items: ['patrimonial armada', 'patrimonial desarmada', 'eletrônica monitorada', 'armada diurna e noturna', 'desarmada das unidades regionais'] }),
  c({ key: 'alimentacao', label: 'alimentação', pattern: /\b(refeic|alimenticios|alimentacao)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 250_000, sigma: 0.8, prefix: 'Fornecimento de alimentação:', items: ['refeições prontas para pacientes', 'gêneros alimentícios para alimentação escolar', 'lanches para eventos institucionais', 'refeições para restaurante universitário', 'gêneros alimentícios perecíveis', 'água mineral e café'] }),
  c({ key: 'material_expediente', label: 'material de expediente', pattern: /\b(expediente|papel a4|toner|papelaria)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 28_000, sigma: 0.7, prefix: 'Aquisição de material de expediente:', items: ['papel A4', 'canetas esferográficas', 'cartuchos de toner', 'pastas e envelopes', 'grampeadores e clipes', 'blocos de anotação', 'etiquetas adesivas'] }),
  c({ key: 'combustiveis', label: 'combustíveis', pattern: /\b(combustive|gasolina|diesel|etanol)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 210_000, sigma: 0.7, prefix: 'Fornecimento de combustível:', items: ['gasolina comum', 'óleo diesel S10', 'etanol hidratado', 'gasolina e diesel com cartão magnético', 'querosene de aviação'] }),
  c({ key: 'consultoria', label: 'consultoria', pattern: /\b(consultoria|assessoria)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 480_000, sigma: 0.9, prefix: 'Contratação de consultoria especializada em', items: ['gestão de processos', 'auditoria de contratos', 'planejamento estratégico', 'segurança da informação', 'engenharia de custos', 'gestão ambiental'] }),
  c({ key: 'mobiliario', label: 'mobiliário', pattern: /\b(mobiliario|cadeiras|mesas de escritorio|armarios)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 75_000, sigma: 0.8, prefix: 'Aquisição de mobiliário:', items: ['cadeiras giratórias', 'mesas de escritório', 'armários de aço', 'estantes e arquivos', 'longarinas para recepção', 'carteiras escolares'] }),
  c({ key: 'viagens', label: 'passagens e viagens', pattern: /\b(passage|agenciamento de viage)/, inciso: 'II', amendmentLimit: 0.25, medianValue: 320_000, sigma: 0.8, prefix: 'Agenciamento de viagens:', items: ['passagens aéreas nacionais', 'passagens aéreas internacionais', 'passagens rodoviárias', 'hospedagem de servidores em missão', 'reserva e emissão de bilhetes'] }),
  c({ key: 'eventos', label: 'eventos', pattern: /\bevento/, inciso: 'II', amendmentLimit: 0.25, medianValue: 140_000, sigma: 0.8, prefix: 'Organização de eventos:', items: ['seminário regional', 'congresso nacional', 'cerimônia de formatura', 'oficinas de capacitação', 'feira de ciências', 'audiência pública'] }),
];

export const OTHER_CATEGORY = 'outros';

export function categoryByKey(key: string): ObjectCategory | undefined {
  return OBJECT_CATEGORIES.find((category) => category.key === key);
}
